import { now, secondsFromNow } from "@/lib/clock";
import { config } from "@/lib/config/env";
import { atomically, database, transaction, type Tx } from "@/lib/db";
import { recordAudit } from "@/lib/db/audit";
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
  type SessionKind,
  type SessionLifetime,
  type SessionRecord,
} from "@/lib/db/sessions";
import { recordLastLogin, type User } from "@/lib/db/users";
import { AppError } from "@/lib/errors";
import { log } from "@/lib/log";
import { issueAccessToken, verifyAccessToken } from "@/lib/tokens/access";
import { randomToken, sha256Hex } from "@/lib/tokens/hash";
import { rememberAddress, withClientLimitInTransaction } from "./limits";
import { amrOf, methodsOfSignIn, parseMethods, proofOf, storedMethods, type ProofMethod, type SessionProof, type SignInMethod, type SignInProof } from "./proof";
import type { Caller, ClientInfo, Tokens } from "./types";

/**
 * Sessions: one per sign-in, of an app or of a browser. Apps hold an access token (15 minutes,
 * naming the session in `sid`) and a refresh token that is replaced on every use; browsers hold a
 * cookie naming the session. Either way the session is checked on every request, so logging out,
 * a password reset or "sign out everywhere" ends it at once, not when a token expires.
 */

export type { SessionKind, SessionRecord as Session } from "@/lib/db/sessions";

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

async function accessTokenFor(user: User, sessionId: string, proof: SessionProof): Promise<string> {
  const claims = { id: user.id, email: user.email, verified: user.verifiedAt !== null, role: user.roleName };
  return (await issueAccessToken(claims, sessionId, { authTime: proof.provedAt, amr: amrOf(proof.methods) })).token;
}

/**
 * The one way into an account, whatever proved it: refuses a disabled account, records the
 * sign-in, and remembers the address (it then passes the account's failed-login ceiling). The
 * session, its first refresh token, the address and the audit event are one transaction — `tx`'s
 * when it is one (a sign-up commits the account and its session at once, a login its password
 * attempt): one commit, and a sign-in is recorded whole or not at all.
 */
async function beginSession(
  tx: Tx,
  user: User,
  client: ClientInfo,
  kind: SessionKind,
  proof: SignInProof,
  refreshToken?: string,
): Promise<SessionRecord> {
  admit(user, proof);
  return atomically(tx, async (tx) => {
    const session = await createSession(tx, {
      userId: user.id,
      kind,
      userAgent: client.userAgent,
      ip: client.ip,
      methods: storedMethods(methodsOfSignIn(proof)),
      ...(refreshToken ? { refreshToken: { tokenHash: sha256Hex(refreshToken), expiresAt: refreshExpiry() } } : {}),
    });
    await recordSignIn(tx, user, client, proof, { client: kind });
    return session;
  });
}

/**
 * A browser's sign-in when the browser is already signed in as `user` (an app asked for a fresh
 * proof, `prompt=login` or `max_age`, and /login asked again): the session it has stays, with this
 * proof as its last, so what was granted under it stays with it. Null when that session ended
 * meanwhile: then a new one starts.
 */
async function renewSession(tx: Tx, user: User, client: ClientInfo, proof: SignInProof, sessionId: string): Promise<string | null> {
  admit(user, proof);
  return atomically(tx, async (tx) => {
    if (!(await recordProof(tx, sessionId, storedMethods(methodsOfSignIn(proof)), now()))) return null;
    await recordSignIn(tx, user, client, proof, { client: "browser", renewed: true });
    return sessionId;
  });
}

/** Whether `proof` lets `user` in at all: never a disabled account, never one factor for an account with two. */
function admit(user: User, proof: SignInProof): void {
  if (user.disabledAt) throw new AppError("ACCOUNT_DISABLED");
  // The doors ask for the second factor (lib/auth/sign-in.ts); a path that forgot is a bug, not a way in.
  if (user.totpEnabledAt && !proof.secondFactor) throw new Error(`a session for user ${user.id} needs a second factor`);
}

/** What every sign-in records beside its session: the address (past the failed-login ceiling), the account's last sign-in and the audit event. */
async function recordSignIn(tx: Tx, user: User, client: ClientInfo, proof: SignInProof, detail: Record<string, unknown>): Promise<void> {
  await rememberAddress(tx, user.email, client.ip);
  // A sign-up's account was written with it (NewUser.signsIn): a second version of the row just
  // inserted would cost every index of User again.
  if (proof.method !== "signup") await recordLastLogin(tx, user.id, now());
  await recordAudit(tx, {
    type: "login",
    userId: user.id,
    ip: client.ip,
    userAgent: client.userAgent,
    detail: { method: proof.method, second_factor: proof.secondFactor ?? null, ...detail },
  });
}

/** A new app session: its tokens, and its id (for what the caller records about it). */
export async function startAppSession(
  tx: Tx,
  user: User,
  client: ClientInfo,
  proof: SignInMethod | SignInProof,
): Promise<{ sessionId: string; tokens: Tokens }> {
  const refreshToken = randomToken();
  const session = await beginSession(tx, user, client, "api", proofOf(proof), refreshToken);
  return { sessionId: session.id, tokens: { accessToken: await accessTokenFor(user, session.id, sessionProof(session)), refreshToken } };
}

/**
 * A browser session; the caller writes its id into the session cookie. `current` is the browser's
 * session when it has one: signed in as `user` already, it is renewed (renewSession), not doubled.
 */
export async function startBrowserSession(tx: Tx, user: User, client: ClientInfo, proof: SignInMethod | SignInProof, current?: Caller | null): Promise<string> {
  const signInProof = proofOf(proof);
  if (current && current.user.id === user.id) {
    const renewed = await renewSession(tx, user, client, signInProof, current.sessionId);
    if (renewed) return renewed;
  }
  return (await beginSession(tx, user, client, "browser", signInProof)).id;
}

/**
 * A fresh proof of the caller (reauthentication): the session's methods and proof time become
 * these. REAUTHENTICATION_REQUIRED would be wrong for a session that ended meanwhile: it is
 * ACCESS_TOKEN_INVALID, as on the next request.
 */
export async function renewProof(tx: Tx, caller: Caller, methods: ProofMethod[]): Promise<Caller> {
  const provedAt = now();
  if (!(await recordProof(tx, caller.sessionId, storedMethods(methods), provedAt))) throw new AppError("ACCESS_TOKEN_INVALID");
  return { ...caller, proof: { methods, provedAt } };
}

/** New tokens for an app session that is already open (after a fresh proof): another refresh token of the same session. */
export async function moreTokensFor(caller: Caller): Promise<Tokens> {
  const refreshToken = randomToken();
  await addRefreshToken(database, caller.sessionId, sha256Hex(refreshToken), config().refreshTokenTtlSeconds * 1000, lifetime());
  return { accessToken: await accessTokenFor(caller.user, caller.sessionId, caller.proof), refreshToken };
}

/**
 * Exchanges a refresh token for a new pair. A token used again within
 * REFRESH_REUSE_INTERVAL_SECONDS of its first use gets a pair too (two tabs, a retry); later, it is
 * taken for a stolen token being replayed and ends the session.
 */
export async function refreshSession(refreshToken: string, client: ClientInfo): Promise<Tokens> {
  const successor = randomToken();
  // The address's count is committed with the rotation, and taken last: an address's requests (a
  // NAT's many clients) queue on its one row, on PostgreSQL until the commit, so the row is held
  // for that statement and the commit only, not for the whole rotation. Past the limit the
  // rotation rolls back with it.
  const result = await withClientLimitInTransaction("refresh", client.ip, (tx, countRequest) => {
    if (!REFRESH_TOKEN_SHAPE.test(refreshToken)) return countRequest(tx).then(() => ({ kind: "invalid" }) as const);
    const { refreshTokenTtlSeconds, refreshReuseIntervalSeconds } = config();
    const options = { lifetime: lifetime(), reuseIntervalMs: refreshReuseIntervalSeconds * 1000, refreshTtlMs: refreshTokenTtlSeconds * 1000 };
    return rotateRefreshToken(tx, sha256Hex(refreshToken), sha256Hex(successor), options, countRequest);
  });
  if (result.kind === "reused") {
    log.warn("refresh token reuse: session revoked", { userId: result.userId, sessionId: result.sessionId });
    await recordAudit(database, { type: "refresh_reuse", userId: result.userId, ip: client.ip, userAgent: client.userAgent });
  }
  if (result.kind !== "rotated") throw refreshInvalid();
  return { accessToken: await accessTokenFor(result.user, result.sessionId, sessionProof(result.proof)), refreshToken: successor };
}

/** Logout of an app: ends the session of the refresh token. Unknown tokens are fine (idempotent). */
export async function endSessionOfRefreshToken(refreshToken: string, client: ClientInfo): Promise<void> {
  if (!REFRESH_TOKEN_SHAPE.test(refreshToken)) return;
  const ended = await revokeSessionOfToken(database, sha256Hex(refreshToken), "logout");
  if (ended) await recordAudit(database, { type: "logout", userId: ended.userId, ip: client.ip, userAgent: client.userAgent });
}

/**
 * The caller of an access token: its signature, issuer, audience and age, then its session, which
 * must still be live (one indexed query, which also brings the user).
 */
export async function authenticate(accessToken: string | null): Promise<Caller> {
  if (!accessToken) throw new AppError("NOT_AUTHENTICATED");
  const claims = await verifyAccessToken(accessToken);
  const live = await findLiveSession(database, claims.sid, lifetime());
  if (!live || live.user.id !== claims.id || live.user.disabledAt) throw new AppError("ACCESS_TOKEN_INVALID");
  return { user: live.user, sessionId: claims.sid, proof: sessionProof(live.session) };
}

/** The caller of a browser session cookie, or null when its session has ended. */
export async function resumeBrowserSession(userId: number, sessionId: string): Promise<Caller | null> {
  const live = await findLiveSession(database, sessionId, lifetime());
  if (!live || live.user.id !== userId || live.session.kind !== "browser" || live.user.disabledAt) return null;
  await touchSession(database, sessionId);
  return { user: live.user, sessionId, proof: sessionProof(live.session) };
}

/** Ends one session of the user (a device in the list, or this browser's sign-out); false if it was not open. */
export async function endSession(userId: number, sessionId: string, reason: RevokeReason = "logout"): Promise<boolean> {
  return revokeSession(database, userId, sessionId, reason);
}

/** "Sign out everywhere": every session of the user, browser and app alike. */
export async function signOutEverywhere(caller: Caller, client: ClientInfo): Promise<void> {
  await transaction(async (tx) => {
    await revokeAllSessions(tx, caller.user.id, "signout_everywhere");
    await recordAudit(tx, { type: "signout_everywhere", userId: caller.user.id, ip: client.ip, userAgent: client.userAgent });
  });
}

export async function listSessions(userId: number): Promise<SessionRecord[]> {
  return listLiveSessions(database, userId, lifetime());
}
