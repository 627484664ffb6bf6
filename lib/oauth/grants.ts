import type { Grant, KoaContextWithOIDC } from "oidc-provider";
import type { Caller, ClientInfo } from "@/lib/auth/types";
import { now } from "@/lib/clock";
import { database, transaction } from "@/lib/db";
import { recordAudit } from "@/lib/db/audit";
import { bindGrantToSession, deleteOAuthRowsOfApp, findOAuthRow } from "@/lib/db/oauth";
import { deleteConsent, findConsent, saveConsent, touchConsent, type ConsentRecord } from "@/lib/db/oauth-consents";

/**
 * The provider's grants as this service keeps them (ADR 015): each is made under one session of
 * this service (and ends when that session is revoked, lib/db/sessions.ts), and what the person
 * allowed an app is remembered per account and client, so that a later request for no more than
 * that, in any session, is not asked again (but with prompt=consent, which always asks).
 */

/** Custom client metadata: a first-party client is not asked for consent. */
export const FIRST_PARTY = "first_party";

/** What a person allowed an app: OpenID scopes, claims by name, and scopes per resource indicator. */
export interface Allowed {
  scopes: string[];
  claims: string[];
  resources: Record<string, string[]>;
}

const words = (text: string) => text.split(" ").filter(Boolean);
const union = (a: readonly string[], b: readonly string[]) => [...new Set([...a, ...b])];

/** Everything two consents allowed. */
export function mergeAllowed(before: Allowed, later: Allowed): Allowed {
  const resources: Record<string, string[]> = { ...before.resources };
  for (const [indicator, scopes] of Object.entries(later.resources)) resources[indicator] = union(resources[indicator] ?? [], scopes);
  return { scopes: union(before.scopes, later.scopes), claims: union(before.claims, later.claims), resources };
}

/** What of a request a consent already allowed (the rest, if any, the person is asked for). */
export function allowedPart(allowed: Allowed, requested: Allowed): Allowed {
  const within = (granted: readonly string[]) => (asked: readonly string[]) => asked.filter((x) => granted.includes(x));
  const resources: Record<string, string[]> = {};
  for (const [indicator, scopes] of Object.entries(requested.resources)) {
    const part = within(allowed.resources[indicator] ?? [])(scopes);
    if (part.length) resources[indicator] = part;
  }
  return { scopes: within(allowed.scopes)(requested.scopes), claims: within(allowed.claims)(requested.claims), resources };
}

export const isNothing = (allowed: Allowed) => !allowed.scopes.length && !allowed.claims.length && !Object.keys(allowed.resources).length;

function allowedOfRecord(record: Pick<ConsentRecord, "scopes" | "claims" | "resources">): Allowed {
  const resources: Record<string, string[]> = {};
  try {
    for (const [indicator, scopes] of Object.entries(JSON.parse(record.resources) as Record<string, unknown>)) {
      if (typeof scopes === "string") resources[indicator] = words(scopes);
    }
  } catch {
    // A record is written only here; an unreadable one allows no resource scopes.
  }
  return { scopes: words(record.scopes), claims: words(record.claims), resources };
}

/** What a grant holds (its rejected parts left out, as the provider counts them). */
export function allowedOfGrant(grant: Grant): Allowed {
  const resources: Record<string, string[]> = {};
  for (const indicator of Object.keys(grant.resources ?? {})) {
    const scopes = words(grant.getResourceScope(indicator));
    if (scopes.length) resources[indicator] = scopes;
  }
  return { scopes: words(grant.getOIDCScope()), claims: grant.getOIDCClaims(), resources };
}

function addTo(grant: Grant, allowed: Allowed): void {
  if (allowed.scopes.length) grant.addOIDCScope(allowed.scopes.join(" "));
  if (allowed.claims.length) grant.addOIDCClaims(allowed.claims);
  for (const [indicator, scopes] of Object.entries(allowed.resources)) grant.addResourceScope(indicator, scopes.join(" "));
}

/** What the app's consent allows, or null when the person never allowed it (or revoked it). */
export async function rememberedConsent(userId: number, clientId: string): Promise<Allowed | null> {
  const record = await findConsent(database, userId, clientId);
  return record ? allowedOfRecord(record) : null;
}

/** The person pressed Allow: what the grant now holds is remembered with what was allowed before, and audited. */
export async function rememberConsent(caller: Caller, clientId: string, grant: Grant, client: ClientInfo): Promise<void> {
  const userId = caller.user.id;
  await transaction(async (tx) => {
    const before = await findConsent(tx, userId, clientId);
    const allowed = before ? mergeAllowed(allowedOfRecord(before), allowedOfGrant(grant)) : allowedOfGrant(grant);
    const resources = Object.fromEntries(Object.entries(allowed.resources).map(([indicator, scopes]) => [indicator, scopes.join(" ")]));
    await saveConsent(tx, { userId, clientId, scopes: allowed.scopes.join(" "), claims: allowed.claims.join(" "), resources: JSON.stringify(resources) });
    await recordAudit(tx, {
      type: "oauth_consent_given",
      userId,
      ip: client.ip,
      userAgent: client.userAgent,
      detail: { client: clientId, scopes: allowed.scopes.join(" ") },
    });
  });
}

/**
 * Connected apps' Revoke: the remembered consent goes, and with it every grant, code and token the
 * app holds for the account (its refresh and access tokens stop working at once). False when the
 * account had not allowed the app.
 */
export async function revokeApp(caller: Caller, clientId: string, client: ClientInfo): Promise<boolean> {
  return transaction(async (tx) => {
    const forgotten = await deleteConsent(tx, caller.user.id, clientId);
    const ended = await deleteOAuthRowsOfApp(tx, caller.user.id, clientId);
    if (!forgotten && ended === 0) return false;
    await recordAudit(tx, { type: "oauth_consent_revoked", userId: caller.user.id, ip: client.ip, userAgent: client.userAgent, detail: { client: clientId } });
    return true;
  });
}

/**
 * The grant an authorization request goes on with (oidc-provider's `loadExistingGrant`): the one
 * the interaction just made; else the one made for this app under the browser's current session;
 * else a new one, bound to that session, holding everything asked for a first-party app (never
 * asked for consent, so prompt=none works on its first request too), or for any other what the
 * person already allowed the app of this request — unless prompt=consent asks them again.
 * Undefined: the provider starts an empty grant and asks (login first, when the browser is not
 * signed in).
 */
export async function loadGrantOfThisSession(ctx: KoaContextWithOIDC, browserCaller: () => Promise<Caller | null>): Promise<Grant | undefined> {
  const { oidc } = ctx;
  const { provider, client, account, session } = oidc;
  const justGranted = oidc.result?.consent?.grantId;
  if (justGranted) return provider.Grant.find(justGranted);
  const caller = await browserCaller();
  if (!caller || !client || !account || !session || String(caller.user.id) !== account.accountId) return undefined;

  // The provider's session may have outlived a sign-out here: its grant counts only if made under this session.
  const known = session.grantIdFor(client.clientId);
  if (known && (await findOAuthRow(database, "Grant", known))?.sessionId === caller.sessionId) {
    const grant = await provider.Grant.find(known);
    if (grant) return grant;
  }
  const firstParty = client.metadata()[FIRST_PARTY] === true;
  if (oidc.prompts.has("consent") && !firstParty) return undefined;
  const remembered = firstParty ? null : await rememberedConsent(caller.user.id, client.clientId);
  if (!firstParty && !remembered) return undefined;
  const part = remembered ? allowedPart(remembered, requestOf(ctx)) : requestOf(ctx);
  if (isNothing(part)) return undefined;
  const grant = new provider.Grant({ accountId: account.accountId, clientId: client.clientId });
  addTo(grant, part);
  return (await saveForSession(grant, caller)) ? grant : undefined;
}

/** What an authorization request asks for, in a consent's terms. */
function requestOf(ctx: KoaContextWithOIDC): Allowed {
  const { oidc } = ctx;
  const resources: Record<string, string[]> = {};
  for (const [indicator, server] of Object.entries(oidc.resourceServers ?? {})) {
    resources[indicator] = [...oidc.requestParamScopes].filter((scope) => server.scopes.has(scope));
  }
  return { scopes: [...oidc.requestParamOIDCScopes], claims: [...oidc.requestParamClaims], resources };
}

/**
 * Saves a grant made under the caller's session and binds it to that session; false (and the grant
 * gone) when the session ended meanwhile, so a revocation that raced with it still ends it.
 */
export async function saveForSession(grant: Grant, caller: Caller): Promise<string | null> {
  const grantId = await grant.save();
  if (await bindGrantToSession(database, grantId, caller.sessionId)) return grantId;
  await grant.destroy();
  return null;
}

/** Adds to `grant` what an interaction's consent prompt says is missing. */
export function addMissing(grant: Grant, missing: { missingOIDCScope?: string[]; missingOIDCClaims?: string[]; missingResourceScopes?: Record<string, string[]> }): void {
  addTo(grant, { scopes: missing.missingOIDCScope ?? [], claims: missing.missingOIDCClaims ?? [], resources: missing.missingResourceScopes ?? {} });
}

// "Last used" is written at most once a minute per app and account; this remembers which were, in
// this process, so most token requests cost no write at all.
const lastNoted = new Map<string, number>();
const NOTE_EVERY_MS = 60_000;

/** The provider's `grant.success` (an app got tokens): the app's "last used" in Connected apps. */
export async function noteAppUsed(ctx: KoaContextWithOIDC): Promise<void> {
  const grant = ctx.oidc.entities.Grant;
  const userId = Number(grant?.accountId);
  if (!grant?.clientId || !Number.isSafeInteger(userId)) return;
  const key = `${userId} ${grant.clientId}`;
  const at = now();
  if (at.getTime() - (lastNoted.get(key) ?? 0) < NOTE_EVERY_MS) return;
  if (lastNoted.size > 10_000) lastNoted.clear();
  lastNoted.set(key, at.getTime());
  await touchConsent(database, userId, grant.clientId, at);
}
