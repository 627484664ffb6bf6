import { now } from "@/lib/clock";
import { AccountLinkedError, findAccount, findAccountsOfUser, linkAccount } from "@/lib/db/accounts";
import { recordAudit } from "@/lib/db/audit";
import { db } from "@/lib/db/client";
import { revokeAllForUser } from "@/lib/db/refresh-tokens";
import { listRoles } from "@/lib/db/roles";
import { EmailTakenError, endBrowserSessions, findUserByEmail, findUserById, insertUser, markVerified, type UserRecord } from "@/lib/db/users";
import { AppError } from "@/lib/errors";
import { verifyGoogleIdToken, type GoogleIdentity } from "@/lib/google/id-token";
import { limitClient } from "@/lib/rate-limit";
import { issueTokens, type SessionClient } from "./sessions";
import type { RequestMeta, TokenPair } from "./types";

/**
 * Sign-in with Google, for VASITUM's two endpoints and the browser sign-in alike. One function
 * holds the linking rules:
 * - an identity is found by (issuer, subject), never by e-mail alone once linked;
 * - an unknown identity whose verified e-mail matches an account is linked to it (Google has
 *   proven the address), and an unverified account becomes verified;
 * - a user has at most one identity per issuer: a different subject with the same address means
 *   the address was given to someone else (Google Workspace recycles them), so it is refused.
 */

const PROVIDER = "google";

export interface GoogleSignInOptions {
  /** Create a verified account when neither the identity nor its e-mail is known. */
  createIfMissing: boolean;
  /** Register semantics: refuse (EMAIL_TAKEN) when the identity or the e-mail already has an account. */
  requireNew?: boolean;
  /** Recorded in the audit log. */
  client?: SessionClient;
}

/**
 * The account a verified Google identity signs in to: found, linked by e-mail, or created.
 * Throws EMAIL_TAKEN / GOOGLE_NOT_REGISTERED (on `auth_token`) or ACCOUNT_DISABLED.
 */
export async function signInWithGoogleIdentity(
  identity: GoogleIdentity,
  meta: RequestMeta,
  options: GoogleSignInOptions,
): Promise<UserRecord> {
  try {
    return await resolveAccount(identity, meta, options);
  } catch (error) {
    // A concurrent request linked this identity or created this e-mail between our reads and our
    // write. For a register that is simply "taken"; otherwise a fresh read now sees its row.
    if (!(error instanceof AccountLinkedError || error instanceof EmailTakenError)) throw error;
    if (options.requireNew) throw emailTaken(identity);
    return resolveAccount(identity, meta, options);
  }
}

async function resolveAccount(
  identity: GoogleIdentity,
  meta: RequestMeta,
  options: GoogleSignInOptions,
): Promise<UserRecord> {
  const audit = { ip: meta.ip, userAgent: meta.userAgent };
  const client = options.client ?? "api";
  const taken = () => emailTaken(identity);
  const assertEnabled = (user: UserRecord) => {
    if (user.disabledAt) throw new AppError("ACCOUNT_DISABLED");
  };

  const signInLinked = async (userId: number) => {
    if (options.requireNew) throw taken();
    const user = await findUserById(userId);
    // Accounts cascade with their user, so a dangling link means a broken database, not a client error.
    if (!user) throw new Error(`linked user ${userId} does not exist`);
    assertEnabled(user);
    await recordAudit({ type: "login", userId: user.id, ...audit, detail: { method: PROVIDER, client } });
    return user;
  };

  const linked = await findAccount(identity.issuer, identity.subject);
  if (linked) return signInLinked(linked.userId);

  const existing = await findUserByEmail(identity.email);
  if (existing) {
    if (options.requireNew) throw taken();
    assertEnabled(existing);
    const others = await findAccountsOfUser(existing.id, identity.issuer);
    // A concurrent sign-in of this same identity linked it since our first read.
    if (others.some((a) => a.subject === identity.subject)) return signInLinked(existing.id);
    if (others.length > 0) {
      await recordAudit({ type: "google_link_refused", userId: existing.id, ...audit, detail: { reason: "other_subject" } });
      throw taken();
    }
    const wasVerified = existing.verifiedAt !== null;
    const user = await db().$transaction(async (tx) => {
      await linkAccount(tx, { userId: existing.id, provider: PROVIDER, issuer: identity.issuer, subject: identity.subject, email: identity.email });
      if (!wasVerified) {
        await markVerified(tx, existing.id);
        // Anyone could have registered this address with a password before its owner arrived
        // ("pre-account takeover"). Sessions started while nobody had proven the address end now.
        await revokeAllForUser(existing.id, "account_linked", { tx });
        await endBrowserSessions(tx, existing.id);
      }
      await recordAudit(
        {
          type: "google_linked",
          userId: existing.id,
          ...audit,
          detail: { verified_by_link: !wasVerified, had_password: existing.passwordHash !== null },
        },
        tx,
      );
      return findUserById(existing.id, tx);
    });
    if (!user) throw new Error(`user ${existing.id} vanished while linking`);
    await recordAudit({ type: "login", userId: user.id, ...audit, detail: { method: PROVIDER, client } });
    return user;
  }

  if (!options.createIfMissing) {
    throw new AppError("GOOGLE_NOT_REGISTERED", { field: "auth_token", params: { email: identity.email } });
  }
  const roleId = await defaultRoleId();
  return db().$transaction(async (tx) => {
    const user = await insertUser(tx, {
      email: identity.email,
      name: identity.name,
      passwordHash: null,
      roleId,
      verifiedAt: now(),
    });
    await linkAccount(tx, { userId: user.id, provider: PROVIDER, issuer: identity.issuer, subject: identity.subject, email: identity.email });
    await recordAudit({ type: "signup", userId: user.id, ...audit, detail: { method: PROVIDER, client } }, tx);
    return user;
  });
}

function emailTaken(identity: GoogleIdentity): AppError {
  return new AppError("EMAIL_TAKEN", { field: "auth_token", params: { email: identity.email } });
}

async function defaultRoleId(): Promise<number> {
  const role = (await listRoles()).find((r) => r.isDefault);
  if (!role) throw new Error("no default role is seeded");
  return role.id;
}

async function tokensFor(user: UserRecord, meta: RequestMeta): Promise<TokenPair> {
  const { familyId: _familyId, ...tokens } = await issueTokens(user, meta, "api");
  return tokens;
}

/** VASITUM's Google register: a new, verified account for the token's identity. */
export async function registerWithGoogle(idToken: string, meta: RequestMeta): Promise<TokenPair> {
  await limitClient("signup", meta.ip);
  const identity = await verifyGoogleIdToken(idToken);
  const user = await signInWithGoogleIdentity(identity, meta, { createIfMissing: true, requireNew: true });
  return tokensFor(user, meta);
}

/** VASITUM's Google login: the account of the token's identity or of its verified e-mail. */
export async function loginWithGoogle(idToken: string, meta: RequestMeta): Promise<TokenPair> {
  await limitClient("login", meta.ip);
  const identity = await verifyGoogleIdToken(idToken);
  const user = await signInWithGoogleIdentity(identity, meta, { createIfMissing: false });
  return tokensFor(user, meta);
}
