import { now } from "@/lib/clock";
import { AccountLinkedError, findAccount, findAccountsOfUser, linkAccount } from "@/lib/db/accounts";
import { recordAudit } from "@/lib/db/audit";
import { database, transaction } from "@/lib/db";
import { defaultRole } from "@/lib/db/roles";
import { EmailTakenError, findUserByEmail, findUserById, insertUser, markVerified, type User } from "@/lib/db/users";
import { AppError } from "@/lib/errors";
import { verifyGoogleIdToken, type GoogleIdentity } from "@/lib/google/id-token";
import { limitClient } from "./limits";
import { securityEvent } from "./security-events";
import { startAppSession } from "./sessions";
import { signIn, type AppSignIn } from "./sign-in";
import type { ClientInfo, Tokens } from "./types";

/**
 * Sign-in with Google, for VASITUM's two endpoints and the browser sign-in alike. One function
 * holds the linking rules:
 * - an identity is found by (issuer, subject), never by e-mail alone once linked;
 * - an unknown identity whose verified e-mail matches an account is linked to it (Google has
 *   proven the address). If that account was unverified, whoever set its password never proved
 *   the address ("account pre-hijacking"): the password, its open codes and links and its
 *   sessions all go, and a notice says so;
 * - a user has at most one identity per issuer: a different subject with the same address means
 *   the address was given to someone else (Google Workspace recycles them), so it is refused.
 */

const PROVIDER = "google";

export interface GoogleSignInOptions {
  /** Create a verified account when neither the identity nor its e-mail is known. */
  createIfMissing: boolean;
  /** Register semantics: refuse (EMAIL_TAKEN) when the identity or the e-mail already has an account. */
  requireNew?: boolean;
}

/**
 * The account a verified Google identity signs in to: found, linked by e-mail, or created.
 * Throws EMAIL_TAKEN / GOOGLE_NOT_REGISTERED (on `email`) or ACCOUNT_DISABLED.
 */
export async function accountForGoogleIdentity(identity: GoogleIdentity, client: ClientInfo, options: GoogleSignInOptions): Promise<User> {
  try {
    return await resolveAccount(identity, client, options);
  } catch (error) {
    // A concurrent request linked this identity or created this e-mail between our reads and our
    // write. For a register that is simply "taken"; otherwise a fresh read now sees its row.
    if (!(error instanceof AccountLinkedError || error instanceof EmailTakenError)) throw error;
    if (options.requireNew) throw emailTaken(identity);
    return resolveAccount(identity, client, options);
  }
}

async function resolveAccount(identity: GoogleIdentity, client: ClientInfo, options: GoogleSignInOptions): Promise<User> {
  const audit = { ip: client.ip, userAgent: client.userAgent };
  const assertEnabled = (user: User) => {
    if (user.disabledAt) throw new AppError("ACCOUNT_DISABLED");
  };

  const linked = await findAccount(database, identity.issuer, identity.subject);
  if (linked) {
    if (options.requireNew) throw emailTaken(identity);
    const user = await findUserById(database, linked.userId);
    // Accounts cascade with their user, so a dangling link means a broken database, not a client error.
    if (!user) throw new Error(`linked user ${linked.userId} does not exist`);
    assertEnabled(user);
    return user;
  }

  const existing = await findUserByEmail(database, identity.email);
  if (existing) {
    if (options.requireNew) throw emailTaken(identity);
    assertEnabled(existing);
    const others = await findAccountsOfUser(database, existing.id, identity.issuer);
    // A concurrent sign-in of this same identity linked it since our first read.
    if (others.some((a) => a.subject === identity.subject)) return existing;
    if (others.length > 0) {
      await recordAudit(database, { type: "google_link_refused", userId: existing.id, ...audit, detail: { reason: "other_subject" } });
      throw emailTaken(identity);
    }
    return linkToExisting(existing, identity, client);
  }

  if (!options.createIfMissing) {
    throw new AppError("GOOGLE_NOT_REGISTERED", { field: "email", params: { email: identity.email } });
  }
  const role = await defaultRole(database);
  return transaction(async (tx) => {
    const user = await insertUser(tx, { email: identity.email, name: identity.name, passwordHash: null, roleId: role.id, verifiedAt: now() });
    await linkAccount(tx, { userId: user.id, provider: PROVIDER, issuer: identity.issuer, subject: identity.subject, email: identity.email });
    await recordAudit(tx, { type: "signup", userId: user.id, ...audit, detail: { method: PROVIDER } });
    return user;
  });
}

/**
 * Links the identity to the account of its address. If that account was unverified, Google has now
 * proven the address for the first time: nothing anyone set up before survives the proof (the
 * table of lib/auth/security-events.ts).
 */
async function linkToExisting(existing: User, identity: GoogleIdentity, client: ClientInfo): Promise<User> {
  const unverified = existing.verifiedAt === null;
  const removesPassword = unverified && existing.passwordHash !== null;
  await securityEvent(
    unverified ? "address_proven_by_google" : "google_linked",
    { user: existing, client },
    async (tx) => {
      await linkAccount(tx, { userId: existing.id, provider: PROVIDER, issuer: identity.issuer, subject: identity.subject, email: identity.email });
      if (unverified) await markVerified(tx, existing.id);
    },
    { notice: { googleEmail: identity.email }, audit: { verified_by_link: unverified, password_removed: removesPassword } },
  );
  const user = await findUserById(database, existing.id);
  if (!user) throw new Error(`user ${existing.id} vanished while linking`);
  return user;
}

function emailTaken(identity: GoogleIdentity): AppError {
  return new AppError("EMAIL_TAKEN", { field: "email", params: { email: identity.email } });
}

/** VASITUM's Google register: a new, verified account for the token's identity, and its session. */
export async function registerWithGoogle(idToken: string, client: ClientInfo): Promise<Tokens> {
  await limitClient(database, "signup", client.ip);
  const identity = await verifyGoogleIdToken(idToken);
  const user = await accountForGoogleIdentity(identity, client, { createIfMissing: true, requireNew: true });
  return (await startAppSession(database, user, client, "google")).tokens;
}

/**
 * VASITUM's Google login: the account of the token's identity or of its verified e-mail; with
 * two-factor on, Google is the first factor and the second step follows.
 */
export async function loginWithGoogle(idToken: string, client: ClientInfo): Promise<AppSignIn> {
  await limitClient(database, "login", client.ip);
  const identity = await verifyGoogleIdToken(idToken);
  const user = await accountForGoogleIdentity(identity, client, { createIfMissing: false });
  return signIn(user, client, "google", "api");
}
