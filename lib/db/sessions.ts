import { randomUUID } from "node:crypto";
import { now } from "@/lib/clock";
import { deleteGrantsOfSessions } from "./oauth";
import { sessionChecks } from "./session-checks";
import { atomically, database, deleteOldest, execute, prisma, query, queueWrite, sql, writeWithNext, type Tx } from "./sql";
import { toUserRecord, USER_COLUMNS, type User, type UserRow } from "./users";

/**
 * Sessions and their refresh tokens. A session is one sign-in of an app (which holds refresh
 * tokens) or of a browser (which holds the session cookie). Tokens are stored only as SHA-256 hex
 * (the callers hash); nothing here ever sees a token itself.
 */

/** An app's session (with refresh tokens) or a browser's (its cookie names the session). */
export type SessionKind = "api" | "browser";

/** Why a session ended; kept on the row for the audit trail and support. */
export type RevokeReason =
  | "logout"
  | "reuse"
  | "password_change"
  | "password_reset"
  | "session_revoked"
  | "signout_everywhere"
  | "account_disabled"
  | "email_changed"
  // An unverified password account was claimed by a verified Google identity.
  | "account_linked"
  // The address was proven for the first time (a Google sign-in, a reset link): what came before goes.
  | "address_proven"
  // Two-factor was turned on: sessions that one factor opened end.
  | "two_factor_enabled"
  // An admin removed the account's second factors (a lost phone).
  | "two_factor_reset"
  | "account_deleted";

/** When a session ends by itself: `maxAgeMs` after sign-in, or after `idleMs` without use. */
export interface SessionLifetime {
  maxAgeMs: number;
  idleMs: number;
}

export interface SessionRecord {
  id: string;
  userId: number;
  kind: SessionKind;
  userAgent: string | null;
  ip: string | null;
  createdAt: Date;
  lastUsedAt: Date;
  /** The methods of the session's last proof, comma-separated as stored ("password,totp"). */
  methods: string;
  /** When the owner last proved it was them: the sign-in, or a later reauthentication. */
  provedAt: Date;
}

export interface NewSession {
  userId: number;
  kind: SessionKind;
  userAgent: string | null;
  ip: string | null;
  /** What proved the sign-in, comma-separated. */
  methods: string;
  /** The first refresh token (app sessions). */
  refreshToken?: { tokenHash: string; expiresAt: Date };
}

// The header is client-controlled; a session list needs no more than this.
const MAX_USER_AGENT_LENGTH = 512;
const SESSION_FIELDS = { id: true, userId: true, kind: true, userAgent: true, ip: true, createdAt: true, lastUsedAt: true, methods: true, provedAt: true } as const;

const asKind = (kind: string): SessionKind => (kind === "browser" ? "browser" : "api");

/** Sessions still in force at `at`: not revoked, not past their age, not idle too long. */
function liveAt(at: Date, lifetime: SessionLifetime) {
  return {
    revokedAt: null,
    createdAt: { gt: new Date(at.getTime() - lifetime.maxAgeMs) },
    lastUsedAt: { gt: new Date(at.getTime() - lifetime.idleMs) },
  };
}

const isLive = (s: { revokedAt: Date | null; createdAt: Date; lastUsedAt: Date }, at: Date, lifetime: SessionLifetime) =>
  !s.revokedAt && s.createdAt.getTime() > at.getTime() - lifetime.maxAgeMs && s.lastUsedAt.getTime() > at.getTime() - lifetime.idleMs;

/** Starts a session. */
export async function createSession(tx: Tx, input: NewSession): Promise<SessionRecord> {
  const at = now();
  const session: SessionRecord = {
    id: randomUUID(),
    userId: input.userId,
    kind: input.kind,
    userAgent: input.userAgent?.slice(0, MAX_USER_AGENT_LENGTH) ?? null,
    ip: input.ip,
    createdAt: at,
    lastUsedAt: at,
    methods: input.methods,
    provedAt: at,
  };
  await queueWrite(
    tx,
    sql`INSERT INTO "Session" ("id", "userId", "kind", "userAgent", "ip", "createdAt", "lastUsedAt", "methods", "provedAt")
        VALUES (${session.id}, ${session.userId}, ${session.kind}, ${session.userAgent}, ${session.ip}, ${at}, ${at}, ${session.methods}, ${at})`,
  );
  if (input.refreshToken) {
    const { tokenHash, expiresAt } = input.refreshToken;
    await queueWrite(tx, sql`INSERT INTO "RefreshToken" ("sessionId", "tokenHash", "expiresAt", "createdAt") VALUES (${session.id}, ${tokenHash}, ${expiresAt}, ${at})`);
  }
  return session;
}

/**
 * A live session with its user, in one indexed query (every authenticated request asks): a join
 * on the session's primary key, sent as SQL both dialects read alike. Null when the session is
 * unknown, revoked, too old or idle too long. The caller checks the user's state.
 */
export async function findLiveSession(
  tx: Tx,
  sessionId: string,
  lifetime: SessionLifetime,
): Promise<{ session: SessionRecord; user: User } | null> {
  // On PostgreSQL outside a transaction a row checked a moment ago may come from memory (ADR 019);
  // it only confirms: a session it shows as ended is read again.
  const cache = tx === database ? sessionChecks<LiveSessionRow>() : undefined;
  const key = `s:${sessionId}`;
  let row = cache?.get(key);
  if (row && !isLiveRow(row, lifetime)) row = undefined;
  if (!row) {
    const ticket = cache?.ticket() ?? null;
    // sessions.test.ts compares the user with findUserById's.
    [row] = await query<LiveSessionRow>(
      tx,
      sql`SELECT ${USER_COLUMNS}, s."kind" AS "s_kind", s."userAgent" AS "s_userAgent", s."ip" AS "s_ip",
             s."createdAt" AS "s_createdAt", s."lastUsedAt" AS "s_lastUsedAt", s."revokedAt" AS "s_revokedAt",
             s."methods" AS "s_methods", s."provedAt" AS "s_provedAt"
          FROM "Session" s JOIN "User" u ON u."id" = s."userId"
          WHERE s."id" = ${sessionId}`,
    );
    if (!row || !isLiveRow(row, lifetime)) return null;
    cache?.remember(key, [key, `u:${row.id}`], row, ticket);
  }
  const { s_kind, s_userAgent, s_ip, s_createdAt, s_lastUsedAt, s_revokedAt: _revokedAt, s_methods, s_provedAt, ...user } = row;
  const session = {
    id: sessionId,
    userId: user.id,
    kind: asKind(s_kind),
    userAgent: s_userAgent,
    ip: s_ip,
    createdAt: s_createdAt,
    lastUsedAt: s_lastUsedAt,
    methods: s_methods,
    provedAt: s_provedAt,
  };
  return { session, user: await toUserRecord(tx, user) };
}

type LiveSessionRow = UserRow & {
  s_kind: string;
  s_userAgent: string | null;
  s_ip: string | null;
  s_createdAt: Date;
  s_lastUsedAt: Date;
  s_revokedAt: Date | null;
  s_methods: string;
  s_provedAt: Date;
};

const isLiveRow = (row: LiveSessionRow, lifetime: SessionLifetime) =>
  isLive({ revokedAt: row.s_revokedAt, createdAt: row.s_createdAt, lastUsedAt: row.s_lastUsedAt }, now(), lifetime);

export type RotateResult =
  | { kind: "rotated"; userId: number; sessionId: string; user: User; proof: { methods: string; provedAt: Date } }
  | { kind: "reused"; userId: number; sessionId: string }
  | { kind: "invalid" };

export interface RotateOptions {
  lifetime: SessionLifetime;
  /** A token presented again this soon after its rotation gets a successor of its own. */
  reuseIntervalMs: number;
  /** The successor's expiry: `refreshTtlMs` from now, never past the session's end. */
  refreshTtlMs: number;
}

/**
 * Exchanges the refresh token with hash `tokenHash` for a successor with hash `newTokenHash`, in
 * one transaction (`tx`'s, when it is one).
 *
 * The first use wins the token with a single UPDATE guarded by `rotatedAt IS NULL` (PostgreSQL
 * re-checks it after waiting for a concurrent winner's row lock; SQLite runs writes one at a
 * time). A token presented again within `reuseIntervalMs` of that rotation — two tabs, a retried
 * request — gets a successor too, so the session goes on. Presented later, it is treated as a
 * stolen token being replayed: the whole session is revoked, the honest successors included.
 */
export async function rotateRefreshToken(
  tx: Tx,
  tokenHash: string,
  newTokenHash: string,
  options: RotateOptions,
  /** The caller's last statement (the request's count), sent with the rotation's writes. */
  last: (tx: Tx) => Promise<void>,
): Promise<RotateResult> {
  return atomically(tx, async (tx) => {
    const at = now();
    const [token] = await query<
      UserRow & { t_sessionId: string; t_expiresAt: Date; t_rotatedAt: Date | null; s_revokedAt: Date | null; s_createdAt: Date; s_lastUsedAt: Date; s_methods: string; s_provedAt: Date }
    >(
      tx,
      sql`SELECT t."sessionId" AS "t_sessionId", t."expiresAt" AS "t_expiresAt", t."rotatedAt" AS "t_rotatedAt",
                 s."revokedAt" AS "s_revokedAt", s."createdAt" AS "s_createdAt", s."lastUsedAt" AS "s_lastUsedAt",
                 s."methods" AS "s_methods", s."provedAt" AS "s_provedAt", ${USER_COLUMNS}
          FROM "RefreshToken" t JOIN "Session" s ON s."id" = t."sessionId" JOIN "User" u ON u."id" = s."userId"
          WHERE t."tokenHash" = ${tokenHash}`,
    );
    const ended = async (result: RotateResult) => {
      await last(tx);
      return result;
    };
    if (!token) return ended({ kind: "invalid" });
    const { t_sessionId: sessionId, t_expiresAt: expiresAt, t_rotatedAt: rotatedAt, s_revokedAt, s_createdAt, s_lastUsedAt, s_methods, s_provedAt, ...user } = token;
    const session = { revokedAt: s_revokedAt, createdAt: s_createdAt, lastUsedAt: s_lastUsedAt };
    const owner = { userId: user.id, sessionId };
    if (!isLive(session, at, options.lifetime) || user.disabledAt) return ended({ kind: "invalid" });
    if (!rotatedAt && expiresAt <= at) return ended({ kind: "invalid" });

    // Within the interval a second use is a retry or a second tab, not a replay.
    const withinInterval = (rotated: Date) => at.getTime() - rotated.getTime() < options.reuseIntervalMs;
    const replayed = async () => {
      await revoke(tx, { id: sessionId }, "reuse", at);
      return { kind: "reused", ...owner } as const;
    };
    if (rotatedAt && !withinInterval(rotatedAt)) return ended(await replayed());

    // The claim's answer waits for the writes after it and the caller's last statement: one round
    // trip. Nothing may be awaited before `last` is called, or the claim would go on its own.
    const claim = rotatedAt
      ? null
      : writeWithNext(tx, (early) =>
          query(early, sql`UPDATE "RefreshToken" SET "rotatedAt" = ${at} WHERE "tokenHash" = ${tokenHash} AND "rotatedAt" IS NULL RETURNING "sessionId"`),
        );
    const [claimed] = await Promise.all([
      claim,
      insertRefreshToken(tx, { id: sessionId, createdAt: session.createdAt }, newTokenHash, options.refreshTtlMs, options.lifetime),
      queueWrite(tx, sql`UPDATE "Session" SET "lastUsedAt" = ${at} WHERE "id" = ${sessionId}`),
      last(tx),
    ]);
    // Lost to a concurrent use of the same token, which rotated it a moment ago: a replay only
    // when no interval is allowed, and then the successor just written ends with the session.
    if (claimed && claimed.length !== 1 && !withinInterval(at)) return replayed();
    // A refresh renews the tokens, never the proof: the new access token carries the session's.
    return { kind: "rotated", ...owner, user: await toUserRecord(tx, user), proof: { methods: s_methods, provedAt: s_provedAt } };
  });
}

/**
 * Revokes the sessions matching `where` that are still open; an earlier revocation keeps its reason.
 * Every way a session ends comes here, so here the OpenID grants end with it (ADR 015): those made
 * under the session, or, when all of a user's sessions end (but a spared one), every grant of the
 * user but the spared session's, those that outlived a sign-out included. A plain sign-out keeps
 * the session's grants with offline_access.
 */
async function revoke(
  tx: Tx,
  where: { id?: string | { not: string }; userId?: number },
  reason: RevokeReason,
  at: Date = now(),
): Promise<number> {
  if (where.id === undefined && where.userId === undefined) throw new Error("revoke needs a session or a user");
  const byId = where.id === undefined ? sql`` : typeof where.id === "string" ? sql` AND "id" = ${where.id}` : sql` AND "id" <> ${where.id.not}`;
  const byUser = where.userId === undefined ? sql`` : sql` AND "userId" = ${where.userId}`;
  const ended = await execute(tx, sql`UPDATE "Session" SET "revokedAt" = ${at}, "revokeReason" = ${reason} WHERE "revokedAt" IS NULL${byId}${byUser}`);
  const keepOffline = reason === "logout";
  if (typeof where.id === "string") {
    if (ended > 0) await deleteGrantsOfSessions(tx, { sessionId: where.id }, { keepOffline });
  } else if (where.userId !== undefined) {
    await deleteGrantsOfSessions(tx, { userId: where.userId, exceptSessionId: where.id?.not ?? null }, { keepOffline });
  }
  return ended;
}

/**
 * A fresh proof of the session's owner (reauthentication): its methods and time replace the
 * sign-in's. False when the session has ended meanwhile.
 */
export async function recordProof(tx: Tx, sessionId: string, methods: string, at: Date = now()): Promise<boolean> {
  return (await execute(tx, sql`UPDATE "Session" SET "methods" = ${methods}, "provedAt" = ${at} WHERE "id" = ${sessionId} AND "revokedAt" IS NULL`)) === 1;
}

/** Another refresh token of `session`, expiring `refreshTtlMs` from now but never past the session's end. */
async function insertRefreshToken(
  tx: Tx,
  session: { id: string; createdAt: Date },
  tokenHash: string,
  refreshTtlMs: number,
  lifetime: SessionLifetime,
): Promise<void> {
  const at = now();
  const expiresAt = new Date(Math.min(at.getTime() + refreshTtlMs, session.createdAt.getTime() + lifetime.maxAgeMs));
  await queueWrite(tx, sql`INSERT INTO "RefreshToken" ("sessionId", "tokenHash", "expiresAt", "createdAt") VALUES (${session.id}, ${tokenHash}, ${expiresAt}, ${at})`);
}

/** One more refresh token of a live app session (the fresh tokens of a reauthentication). */
export async function addRefreshToken(tx: Tx, sessionId: string, tokenHash: string, refreshTtlMs: number, lifetime: SessionLifetime): Promise<void> {
  const [session] = await query<{ createdAt: Date }>(tx, sql`SELECT "createdAt" FROM "Session" WHERE "id" = ${sessionId}`);
  if (!session) throw new Error(`session ${sessionId} does not exist`);
  await insertRefreshToken(tx, { id: sessionId, createdAt: session.createdAt }, tokenHash, refreshTtlMs, lifetime);
}

/**
 * Ends the user's open sessions whose last proof fails `keep` (two-factor turned on: those one
 * factor opened), but `exceptSessionId`. Read and revoked in the caller's transaction.
 */
export async function revokeSessionsWhere(
  tx: Tx,
  userId: number,
  reason: RevokeReason,
  ends: (methods: string) => boolean,
  exceptSessionId: string | null = null,
): Promise<number> {
  const open = await query<{ id: string; methods: string }>(tx, sql`SELECT "id", "methods" FROM "Session" WHERE "userId" = ${userId} AND "revokedAt" IS NULL`);
  let ended = 0;
  for (const session of open) {
    if (session.id !== exceptSessionId && ends(session.methods)) ended += await revoke(tx, { id: session.id }, reason);
  }
  return ended;
}

/** Ends the session a refresh token belongs to (rotated or not). Null for an unknown token. */
export async function revokeSessionOfToken(tx: Tx, tokenHash: string, reason: RevokeReason): Promise<{ sessionId: string; userId: number } | null> {
  const token = await (await prisma(tx)).refreshToken.findFirst({ where: { tokenHash }, select: { sessionId: true, session: { select: { userId: true } } } });
  if (!token) return null;
  await revoke(tx, { id: token.sessionId }, reason);
  return { sessionId: token.sessionId, userId: token.session.userId };
}

/** Ends one of the user's sessions; false when it is not theirs, unknown or already ended. */
export async function revokeSession(tx: Tx, userId: number, sessionId: string, reason: RevokeReason): Promise<boolean> {
  return (await revoke(tx, { id: sessionId, userId }, reason)) === 1;
}

/**
 * Ends every open session of the user, or every one but `exceptSessionId` (a password change keeps
 * the session that made it).
 */
export async function revokeAllSessions(tx: Tx, userId: number, reason: RevokeReason, exceptSessionId: string | null = null): Promise<number> {
  return revoke(tx, { userId, ...(exceptSessionId ? { id: { not: exceptSessionId } } : {}) }, reason);
}

/** The user's live sessions, most recently used first. */
export async function listLiveSessions(tx: Tx, userId: number, lifetime: SessionLifetime): Promise<SessionRecord[]> {
  const rows = await (await prisma(tx)).session.findMany({
    where: { userId, ...liveAt(now(), lifetime) },
    select: SESSION_FIELDS,
    orderBy: [{ lastUsedAt: "desc" }, { createdAt: "desc" }],
  });
  return rows.map((s) => ({ ...s, kind: asKind(s.kind) }));
}

/** Marks a session as used, at most once a minute (browser requests call it on every page). */
export async function touchSession(tx: Tx, sessionId: string): Promise<void> {
  const at = now();
  await (await prisma(tx)).session.updateMany({ where: { id: sessionId, lastUsedAt: { lt: new Date(at.getTime() - 60_000) } }, data: { lastUsedAt: at } });
}

/**
 * Housekeeping: of the next `examine` sessions after `after` in key order (from the first when
 * null), deletes those that ended before `cutoff` (revoked, too old or idle; their tokens go with
 * them), at most `limit`. None of the columns that say a session ended is indexed (every refresh
 * would pay for it), so a search for ended sessions reads the table until it finds them; a walk
 * along the primary key costs each batch the same whatever the table's size. `next` is where the
 * following batch starts: null once the walk has passed the last session.
 */
export async function deleteEndedSessionsAfter(
  tx: Tx,
  after: string | null,
  examine: number,
  cutoff: Date,
  lifetime: SessionLifetime,
  limit: number,
): Promise<{ deleted: number; next: string | null }> {
  const rows = await query<{ id: string; revokedAt: Date | null; createdAt: Date; lastUsedAt: Date }>(
    tx,
    sql`SELECT "id", "revokedAt", "createdAt", "lastUsedAt" FROM "Session" WHERE "id" > ${after ?? ""} ORDER BY "id" LIMIT ${examine}`,
  );
  const tooOld = cutoff.getTime() - lifetime.maxAgeMs;
  const idle = cutoff.getTime() - lifetime.idleMs;
  const ended: string[] = [];
  let next: string | null = rows.length < examine ? null : rows.at(-1)!.id;
  for (const row of rows) {
    if ((row.revokedAt && row.revokedAt < cutoff) || row.createdAt.getTime() < tooOld || row.lastUsedAt.getTime() < idle) ended.push(row.id);
    if (ended.length === limit) {
      next = row.id;
      break;
    }
  }
  const deleted = ended.length ? (await (await prisma(tx)).session.deleteMany({ where: { id: { in: ended } } })).count : 0;
  return { deleted, next };
}

/** Housekeeping: deletes up to `limit` refresh tokens that expired before `cutoff`. */
export async function deleteExpiredRefreshTokens(tx: Tx, cutoff: Date, limit: number): Promise<number> {
  // Expired tokens only: a rotated one that could still be presented must stay to be recognised as reuse.
  return deleteOldest(tx, { table: sql`"RefreshToken"`, key: sql`"id"`, condition: sql`"expiresAt" < ${cutoff}`, oldestFirst: sql`"expiresAt"` }, limit);
}
