import { linkState } from "@/lib/auth/links";
import { passkeysOf } from "@/lib/auth/passkeys";
import { proofFreshForSeconds } from "@/lib/auth/proof";
import { reauthenticationNeeds } from "@/lib/auth/reauthentication";
import { listSessions } from "@/lib/auth/sessions";
import { selfAssignableRoles } from "@/lib/auth/signup";
import type { Caller } from "@/lib/auth/types";
import { config } from "@/lib/config/env";
import { connectedApps } from "@/lib/oauth/consent";

/** What the pages need from the server, gathered in one place so page files stay small. */

export const googleEnabled = () => {
  const { clientIds, clientSecret } = config().google;
  return clientIds.length > 0 && !!clientSecret;
};

export function authPageData() {
  const { otpLength, passwordMinLength, appName } = config();
  return { otpLength, passwordMinLength, googleEnabled: googleEnabled(), appName };
}

/** The sign-up page: what SIGNUP_FIELDS asks for, and the roles to choose from when it asks for one. */
export async function signupPageData() {
  const { signupFields: fields, passwordMinLength } = config();
  return { fields, roles: fields.role ? await selfAssignableRoles() : [], passwordMinLength, googleEnabled: googleEnabled() };
}

export async function profilePageData(session: Caller) {
  const { user } = session;
  const [sessions, passkeys, apps] = await Promise.all([listSessions(user.id), passkeysOf(session), connectedApps(user.id)]);
  return {
    user: {
      email: user.email,
      name: user.name,
      mobile: user.mobile,
      dob: user.dob ?? "",
      isVerified: user.verifiedAt !== null,
      hasPassword: user.passwordHash !== null,
      twoFactorEnabled: user.totpEnabledAt !== null,
    },
    // Sensitive changes need a fresh proof of this session (lib/auth/proof.ts): how much longer
    // this one lasts (0: stale), so the page asks before a sensitive form rather than after it.
    proofFreshForSeconds: proofFreshForSeconds(session.proof, user),
    /** What the "Confirm it's you" step asks of this account. */
    reauthentication: reauthenticationNeeds(user, passkeys),
    passkeys: passkeys.map((p) => ({
      id: p.id,
      name: p.name,
      backedUp: p.backedUp,
      createdAt: p.createdAt.toISOString(),
      lastUsedAt: p.lastUsedAt?.toISOString() ?? null,
    })),
    sessions: sessions.map((s) => ({
      id: s.id,
      kind: s.kind,
      userAgent: s.userAgent,
      ip: s.ip,
      createdAt: s.createdAt.toISOString(),
      lastUsedAt: s.lastUsedAt.toISOString(),
      current: s.id === session.sessionId,
    })),
    /** The apps the person allowed through the OpenID provider; null when the provider is off. */
    connectedApps:
      apps?.map((app) => ({
        clientId: app.clientId,
        name: app.name,
        scopes: app.scopes,
        allowedAt: app.allowedAt.toISOString(),
        lastUsedAt: app.lastUsedAt?.toISOString() ?? null,
      })) ?? null,
  };
}

/** What the landing pages of e-mailed links say: the link works, was used, was replaced, expired, or is unknown. */
export const confirmLinkState = (token: string) => linkState(token, "verify_email");
export const resetLinkState = (token: string) => linkState(token, "reset_password");
export const emailChangeLinkState = (token: string) => linkState(token, "change_email");

/**
 * What a signed-in page's "Confirm it's you" step (components/confirm-its-you.tsx) needs besides
 * its actions: what it asks of this account, its address, and how long the session's proof stays
 * fresh (0: stale), so the page asks before a sensitive form rather than after it.
 */
export async function confirmItsYouData(session: Caller) {
  const { user, proof } = session;
  return { needs: reauthenticationNeeds(user, await passkeysOf(session)), email: user.email, freshForSeconds: proofFreshForSeconds(proof, user) };
}
