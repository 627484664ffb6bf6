import { now, secondsFromNow } from "@/lib/clock";
import { config } from "@/lib/config/env";
import { recordAudit } from "@/lib/db/audit";
import { db } from "@/lib/db/client";
import {
  addRefreshToken,
  createSession,
  findLiveSession,
  listLiveSessions,
  recordProof,
  revokeAllSessions,
  revokeSession,
  revokeSessionOfToken,
  rotateRefreshToken,
  touchSession,
  type RevokeReason,
  type SessionClient,
  type SessionLifetime,
  type SessionRecord,
} from "@/lib/db/sessions";
import { transaction, type Executor, type SqlTransaction } from "@/lib/db/sql";
import type { UserRecord } from "@/lib/db/users";
import { AppError } from "@/lib/errors";
import { log } from "@/lib/log";
import { issueAccessToken, verifyAccessToken } from "@/lib/tokens/access";
import { randomToken, sha256Hex } from "@/lib/tokens/hash";
import { rememberAddress, withClientLimit } from "./limits";
import { amrOf, methodsOfSignIn, parseMethods, proofOf, storedMethods, type ProofMethod, type SessionProof, type SignInMethod, type SignInProof } from "./proof";
import type { Caller, ClientInfo, Tokens } from "./types";

/**
 * Sessions: one per sign-in, of an app or of a browser. Apps hold an access token (15 minutes,
 * naming the session in `sid`) and a refresh token that is replaced on every use; browsers hold a
 * cookie naming the session. Either way the session is checked on every request, so logging out,
 * a password reset or "sign out everywhere" ends it at once, not when a token expires.
 */

export type { SessionClient, SessionRecord as Session } from "@/lib/db/sessions";

export type { SecondFactor, SignInMethod, SignInProof } from "./proof";

const sessionProof = (session: { methods: string; provedAt: Date }): SessionProof => ({ methods: parseMethods(session.methods), provedAt: session.provedAt });

function lifetime(): SessionLifetime {
  const { sessionMaxAgeSeconds, refreshTokenTtlSeconds } = config();
  return { maxAgeMs: sessionMaxAgeSeconds * 1000, idleMs: refreshTokenTtlSeconds * 1000 };
}

// Refresh tokens are 32 random bytes as base64url (randomToken): anything else was not issued here,
// so it is refused without a database round trip.
const REFRESH_TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;
const refreshInvalid = () => new AppError("REFRESH_INVALID", { field: "refreshToken" });

function refreshExpiry(): Date {
  const { refreshTokenTtlSeconds, sessionMaxAgeSeconds } = config();
  return secondsFromNow(Math.min(refreshTokenTtlSeconds, sessionMaxAgeSeconds));
}

async function accessTokenFor(user: UserRecord, sessionId: string, proof: SessionProof): Promise<string> {
  const claims = { id: user.id, email: user.email, verified: user.verifiedAt !== null, role: user.roleName };
  return (await issueAccessToken(claims, sessionId, { authTime: proof.provedAt, amr: amrOf(proof.methods) })).token;
}

/** More of a sign-in's writes, committed with its session or second step (a login settles its password attempt). */
export type WithSignIn = (tx: Executor) => Promise<void>;

/**
 * The one way into an account, whatever proved it: refuses a disabled account, records the
 * sign-in, and remembers the address (it then passes the account's failed-login ceiling). The
 * session, its first refresh token, the address, the audit event and `alsoCommit` are one
 * transaction: one commit, and a sign-in is recorded whole or not at all. `within` joins a
 * transaction the caller has open instead (a sign-up commits the account and its session at once).
 */
async function beginSession(
  user: UserRecord,
  client: ClientInfo,
  kind: SessionClient,
  proof: SignInProof,
  refreshToken?: string,
  alsoCommit?: WithSignIn,
  within?: SqlTransaction,
): Promise<SessionRecord> {
  if (user.disabledAt) throw new AppError("ACCOUNT_DISABLED");
  // The doors ask for the second factor (lib/auth/sign-in.ts); a path that forgot is a bug, not a way in.
  if (user.totpEnabledAt && !proof.secondFactor) throw new Error(`a session for user ${user.id} needs a second factor`);
  const record = async (tx: Executor) => {
    const session = await createSession(tx, {
      userId: user.id,
      client: kind,
      userAgent: client.userAgent,
      ip: client.ip,
      methods: storedMethods(methodsOfSignIn(proof)),
      ...(refreshToken ? { refreshToken: { tokenHash: sha256Hex(refreshToken), expiresAt: refreshExpiry() } } : {}),
    });
    await rememberAddress(user.email, client.ip, tx);
    await recordAudit(
      {
        type: "login",
        userId: user.id,
        ip: client.ip,
        userAgent: client.userAgent,
        detail: { method: proof.method, second_factor: proof.secondFactor ?? null, client: kind },
      },
      tx,
    );
    await alsoCommit?.(tx);
    return session;
  };
  return within ? record(within) : transaction(record);
}

/**
 * A new app session: its tokens, and its id (for what the caller records about it). With
 * `within`, its writes join that open transaction.
 */
export async function startAppSession(
  user: UserRecord,
  client: ClientInfo,
  proof: SignInMethod | SignInProof,
  alsoCommit?: WithSignIn,
  within?: SqlTransaction,
): Promise<{ sessionId: string; tokens: Tokens }> {
  const refreshToken = randomToken();
  const session = await beginSession(user, client, "api", proofOf(proof), refreshToken, alsoCommit, within);
  return { sessionId: session.id, tokens: { accessToken: await accessTokenFor(user, session.id, sessionProof(session)), refreshToken } };
}

/** A new browser session; the caller writes its id into the session cookie. */
export async function startBrowserSession(user: UserRecord, client: ClientInfo, proof: SignInMethod | SignInProof, alsoCommit?: WithSignIn): Promise<string> {
  return (await beginSession(user, client, "browser", proofOf(proof), undefined, alsoCommit)).id;
}

/**
 * A fresh proof of the caller (reauthentication): the session's methods and proof time become
 * these, in `tx` when given. REAUTHENTICATION_REQUIRED would be wrong for a session that ended
 * meanwhile: it is ACCESS_TOKEN_INVALID, as on the next request.
 */
export async function renewProof(caller: Caller, methods: ProofMethod[], tx?: Executor): Promise<Caller> {
  const provedAt = now();
  if (!(await recordProof(tx ?? db(), caller.sessionId, storedMethods(methods), provedAt))) throw new AppError("ACCESS_TOKEN_INVALID");
  return { ...caller, proof: { methods, provedAt } };
}

/** New tokens for an app session that is already open (after a fresh proof): another refresh token of the same session. */
export async function moreTokensFor(caller: Caller): Promise<Tokens> {
  const refreshToken = randomToken();
  await addRefreshToken(db(), caller.sessionId, sha256Hex(refreshToken), config().refreshTokenTtlSeconds * 1000, lifetime());
  return { accessToken: await accessTokenFor(caller.user, caller.sessionId, caller.proof), refreshToken };
}

/**
 * Exchanges a refresh token for a new pair. A token used again within
 * REFRESH_REUSE_INTERVAL_SECONDS of its first use gets a pair too (two tabs, a retry); later, it is
 * taken for a stolen token being replayed and ends the session.
 */
export async function refreshSession(refreshToken: string, client: ClientInfo): Promise<Tokens> {
  const successor = randomToken();
  // The address's count is committed with the rotation.
  const result = await withClientLimit("refresh", client.ip, (countRequest) => {
    if (!REFRESH_TOKEN_SHAPE.test(refreshToken)) throw refreshInvalid();
    const { refreshTokenTtlSeconds, refreshReuseIntervalSeconds } = config();
    return rotateRefreshToken(sha256Hex(refreshToken), sha256Hex(successor), {
      lifetime: lifetime(),
      reuseIntervalMs: refreshReuseIntervalSeconds * 1000,
      refreshTtlMs: refreshTokenTtlSeconds * 1000,
      alsoCommit: countRequest,
    });
  });
  if (result.kind === "reused") {
    log.warn("refresh token reuse: session revoked", { userId: result.userId, sessionId: result.sessionId });
    await recordAudit({ type: "refresh_reuse", userId: result.userId, ip: client.ip, userAgent: client.userAgent });
  }
  if (result.kind !== "rotated") throw refreshInvalid();
  return { accessToken: await accessTokenFor(result.user, result.sessionId, sessionProof(result.proof)), refreshToken: successor };
}

/** Logout of an app: ends the session of the refresh token. Unknown tokens are fine (idempotent). */
export async function endSessionOfRefreshToken(refreshToken: string, client: ClientInfo): Promise<void> {
  if (!REFRESH_TOKEN_SHAPE.test(refreshToken)) return;
  const ended = await revokeSessionOfToken(sha256Hex(refreshToken), "logout");
  if (ended) await recordAudit({ type: "logout", userId: ended.userId, ip: client.ip, userAgent: client.userAgent });
}

/**
 * The caller of an access token: its signature, issuer, audience and age, then its session, which
 * must still be live (one indexed query, which also brings the user).
 */
export async function authenticate(accessToken: string | null): Promise<Caller> {
  if (!accessToken) throw new AppError("NOT_AUTHENTICATED");
  const claims = await verifyAccessToken(accessToken);
  const live = await findLiveSession(claims.sid, lifetime());
  if (!live || live.user.id !== claims.id || live.user.disabledAt) throw new AppError("ACCESS_TOKEN_INVALID");
  return { user: live.user, sessionId: claims.sid, proof: sessionProof(live.session) };
}

/** The caller of a browser session cookie, or null when its session has ended. */
export async function resumeBrowserSession(userId: number, sessionId: string): Promise<Caller | null> {
  const live = await findLiveSession(sessionId, lifetime());
  if (!live || live.user.id !== userId || live.session.client !== "browser" || live.user.disabledAt) return null;
  await touchSession(sessionId);
  return { user: live.user, sessionId, proof: sessionProof(live.session) };
}

/** Ends one session of the user (a device in the list, or this browser's sign-out); false if it was not open. */
export async function endSession(userId: number, sessionId: string, reason: RevokeReason = "logout"): Promise<boolean> {
  return revokeSession(userId, sessionId, reason);
}

/** Ends every session of the user, or every one but `exceptSessionId` (security events: lib/auth/security-events.ts). */
export async function endAllSessions(
  userId: number,
  reason: RevokeReason,
  options: { exceptSessionId?: string | null; tx?: Executor } = {},
): Promise<number> {
  return revokeAllSessions(userId, reason, options);
}

/** "Sign out everywhere": every session of the user, browser and app alike. */
export async function signOutEverywhere(caller: Caller, client: ClientInfo): Promise<void> {
  await endAllSessions(caller.user.id, "signout_everywhere");
  await recordAudit({ type: "signout_everywhere", userId: caller.user.id, ip: client.ip, userAgent: client.userAgent });
}

export async function listSessions(userId: number): Promise<SessionRecord[]> {
  return listLiveSessions(userId, lifetime());
}
