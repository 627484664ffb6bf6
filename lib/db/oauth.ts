import { now } from "@/lib/clock";
import { deepFreeze } from "@/lib/freeze";
import { sessionChecks } from "./session-checks";
import { database, execute, prisma, query, queueWrite, sql, type Statement, type Tx } from "./sql";
import { toUserRecord, USER_COLUMNS, type User, type UserRow } from "./users";

/**
 * oidc-provider's models (ADR 015), one row per (model, id): the payload is the provider's JSON as
 * it handed it over (lib/oauth/adapter.ts turns it into rows and back). Only what the provider looks
 * up by is a column of its own: the grant (to revoke everything issued under one), the interaction's
 * session uid, a device flow's user code; and what this service ends them by: the account and the
 * client (Connected apps), and for a grant the session of this service it was made under.
 */
export interface OAuthRow {
  model: string;
  id: string;
  payload: string;
  grantId: string | null;
  userCode: string | null;
  /** The provider's session: a Session's own uid, an Interaction's, a token's `sessionUid` (the session it ends with). */
  uid: string | null;
  consumedAt: Date | null;
  expiresAt: Date | null;
  userId: number | null;
  clientId: string | null;
  /** A grant's: the session (Session.id) it was made under; set by bindGrantToSession. */
  sessionId: string | null;
}

export type OAuthRowInput = Omit<OAuthRow, "consumedAt" | "sessionId">;

// The provider asks for a row, or writes one, several times per request: plain SQL (ADR 009),
// not the Prisma client's query building.
const OAUTH_COLUMN_NAMES = ["model", "id", "payload", "grantId", "userCode", "uid", "consumedAt", "expiresAt", "userId", "clientId", "sessionId"];
const ROW_COLUMNS: Statement = { strings: [OAUTH_COLUMN_NAMES.map((column) => `"${column}"`).join(", ")], values: [] };
/** A row the provider may still use: no end, or an end still ahead. */
const unexpired = () => sql`("expiresAt" IS NULL OR "expiresAt" > ${now()})`;

/**
 * Writes a row, new or again. In a transaction on PostgreSQL it is held for the transaction's next
 * statement or its COMMIT (queueWrite: the token endpoint's rows go in one round trip).
 */
export async function upsertOAuthRow(tx: Tx, row: OAuthRowInput): Promise<void> {
  const { model, id, payload, grantId, userCode, uid, userId, clientId, expiresAt } = row;
  await queueWrite(
    tx,
    sql`INSERT INTO "OAuthModel" ("model", "id", "payload", "grantId", "userCode", "uid", "userId", "clientId", "expiresAt", "createdAt")
        VALUES (${model}, ${id}, ${payload}, ${grantId}, ${userCode}, ${uid}, ${userId}, ${clientId}, ${expiresAt}, ${now()})
        ON CONFLICT ("model", "id") DO UPDATE SET "payload" = excluded."payload", "grantId" = excluded."grantId",
          "userCode" = excluded."userCode", "uid" = excluded."uid", "userId" = excluded."userId", "clientId" = excluded."clientId",
          "expiresAt" = excluded."expiresAt", "consumedAt" = NULL`,
  );
}

/** A row that has not expired, or null. */
export async function findOAuthRow(tx: Tx, model: string, id: string): Promise<OAuthRow | null> {
  const [row] = await query<OAuthRow>(
    tx,
    sql`SELECT ${ROW_COLUMNS} FROM "OAuthModel" WHERE "model" = ${model} AND "id" = ${id} AND ${unexpired()}`,
  );
  return row ?? null;
}

/** A token row with what the provider asks for next about it: its grant and its account. */
export interface OAuthTokenRows {
  token: OAuthRow;
  grant: OAuthRow | null;
  /** The provider's session a token without offline_access ends with (its `uid`). */
  session: OAuthRow | null;
  user: User | null;
}

type Prefixed<P extends string> = { [K in keyof OAuthRow as `${P}${K & string}`]: OAuthRow[K] };

/**
 * Every column of "OAuthModel" `alias`, each named `<alias>_<column>` in the result. Built once
 * per alias, so each statement's text is too (lib/db/sql.ts caches it by the fragments' identity).
 */
const columnsAs = (alias: "t" | "g" | "s"): Statement => ({
  strings: [OAUTH_COLUMN_NAMES.map((column) => `${alias}."${column}" AS "${alias}_${column}"`).join(", ")],
  values: [],
});
const TOKEN_COLUMNS = columnsAs("t");
const GRANT_COLUMNS = columnsAs("g");
const SESSION_COLUMNS = columnsAs("s");

/** One "OAuthModel" row of a joined row, from its columns under `alias`. */
function rowAs(row: Record<string, unknown>, alias: "t" | "g" | "s"): OAuthRow {
  const out: Record<string, unknown> = {};
  for (const column of OAUTH_COLUMN_NAMES) out[column] = row[`${alias}_${column}`];
  return out as unknown as OAuthRow;
}

/** The user's columns of a joined row: those without an alias (USER_COLUMNS), named once from the first row seen. */
let userColumnNames: string[] | undefined;
function userRowOf(row: Record<string, unknown>): UserRow {
  userColumnNames ??= Object.keys(row).filter((key) => !/^[tgs]_/.test(key));
  const out: Record<string, unknown> = {};
  for (const column of userColumnNames) out[column] = row[column];
  return out as unknown as UserRow;
}

/** The provider's models a presented token value may be a row of. */
export const TOKEN_MODELS: ReadonlySet<string> = new Set(["AccessToken", "ClientCredentials", "RefreshToken"]);

/**
 * The unexpired token rows with value `id` (random values: at most one in practice, whichever of
 * TOKEN_MODELS it is), each with its grant, its provider session and its account read in the same
 * statement. The provider looks a presented token up in up to three models at once
 * (introspection), then reads the session it ends with, its grant and its account (userinfo, a
 * refresh); lib/oauth/adapter.ts answers all of that from this read.
 *
 * On PostgreSQL, outside a transaction, an access token's read is kept in the credential checks'
 * cache (ADR 019) until the database tells of a change to any of its rows, so that userinfo and
 * introspection with a token checked a moment ago cost no round trip. A refresh token's read is
 * not kept: its use changes it.
 */
export async function findOAuthTokenRows(tx: Tx, id: string): Promise<OAuthTokenRows[]> {
  const at = now();
  const cache = tx === database ? sessionChecks<KeptTokenRead>() : undefined;
  const key = `t:${id}`;
  const kept = cache?.get(key);
  // It only confirms: a read whose token, grant or session has expired since is made again.
  if (kept && kept.endsAt > at.getTime()) return kept.rows;
  const ticket = cache?.ticket() ?? null;
  const rows = await query<Prefixed<"t_"> & Prefixed<"g_"> & Prefixed<"s_"> & UserRow>(
    tx,
    sql`SELECT ${TOKEN_COLUMNS}, ${GRANT_COLUMNS}, ${SESSION_COLUMNS}, ${USER_COLUMNS}
        FROM "OAuthModel" t
        LEFT JOIN "OAuthModel" g ON g."model" = 'Grant' AND g."id" = t."grantId" AND (g."expiresAt" IS NULL OR g."expiresAt" > ${at})
        LEFT JOIN "OAuthModel" s ON s."model" = 'Session' AND s."uid" = t."uid" AND (s."expiresAt" IS NULL OR s."expiresAt" > ${at})
        LEFT JOIN "User" u ON u."id" = t."userId"
        WHERE t."model" IN ('AccessToken', 'ClientCredentials', 'RefreshToken') AND t."id" = ${id}
          AND (t."expiresAt" IS NULL OR t."expiresAt" > ${at})`,
  );
  const read = await Promise.all(
    rows.map(async (row) => ({
      token: rowAs(row, "t"),
      grant: row.g_model === null ? null : rowAs(row, "g"),
      session: row.s_model === null ? null : rowAs(row, "s"),
      user: row.id === null ? null : await toUserRecord(tx, userRowOf(row)),
    })),
  );
  if (cache && read.length > 0 && read.every(mayBeKept)) {
    cache.remember(key, changeKeysOf(read), { rows: deepFreeze(read), endsAt: earliestEnd(read) }, ticket);
  }
  return read;
}

/** The token models whose reads are kept: those a use does not change (a refresh token is consumed). */
const KEPT_TOKEN_MODELS: ReadonlySet<string> = new Set(["AccessToken", "ClientCredentials"]);

/**
 * A read is kept when its token is an access token and everything the token names was found: the
 * triggers tell of changes to rows, not of rows written later (so that the token endpoint's
 * inserts cost the database nothing), and a grant or provider session not found may yet be
 * written under that name (oidc-provider writes a session anew under its uid when it renews the
 * session's id).
 */
const mayBeKept = ({ token, grant, session }: OAuthTokenRows) =>
  KEPT_TOKEN_MODELS.has(token.model) && (token.grantId === null || grant !== null) && (token.uid === null || session !== null);

/** A kept read, and when the first of its rows expires (ms since the epoch). */
interface KeptTokenRead {
  rows: OAuthTokenRows[];
  endsAt: number;
}

/**
 * The changes a token's read depends on, as the triggers of migration oauth_token_check_triggers
 * name them: the token and its grant by id, its provider session by uid, and its account.
 */
function changeKeysOf(read: readonly OAuthTokenRows[]): string[] {
  const keys = new Set<string>();
  for (const { token } of read) {
    keys.add(`o:${token.id}`);
    if (token.grantId) keys.add(`o:${token.grantId}`);
    if (token.uid) keys.add(`o:${token.uid}`);
    if (token.userId !== null) keys.add(`u:${token.userId}`);
  }
  return [...keys];
}

function earliestEnd(read: readonly OAuthTokenRows[]): number {
  let end = Infinity;
  for (const { token, grant, session } of read) {
    for (const row of [token, grant, session]) if (row?.expiresAt) end = Math.min(end, row.expiresAt.getTime());
  }
  return end;
}

/**
 * The provider's session with `uid` (oidc-provider's findByUid, asked of sessions only). The uid
 * index holds sessions only (a partial index): the model is written into the statement, where the
 * planner can see that the index answers it.
 */
export async function findOAuthSessionByUid(tx: Tx, uid: string): Promise<OAuthRow | null> {
  const [row] = await query<OAuthRow>(
    tx,
    sql`SELECT ${ROW_COLUMNS} FROM "OAuthModel" WHERE "model" = 'Session' AND "uid" = ${uid} AND ${unexpired()} LIMIT 1`,
  );
  return row ?? null;
}

export async function findOAuthRowByUserCode(tx: Tx, model: string, userCode: string): Promise<OAuthRow | null> {
  const [row] = await query<OAuthRow>(
    tx,
    sql`SELECT ${ROW_COLUMNS} FROM "OAuthModel" WHERE "model" = ${model} AND "userCode" = ${userCode} AND ${unexpired()} LIMIT 1`,
  );
  return row ?? null;
}

/** Marks a row used; the number of rows marked (0: it was used already, or is gone). */
export async function consumeOAuthRow(tx: Tx, model: string, id: string): Promise<number> {
  return execute(tx, consumption(model, id));
}

/** Marks a row used when nobody asks whether it was unused (held in a transaction, as upsertOAuthRow). */
export async function markOAuthRowConsumed(tx: Tx, model: string, id: string): Promise<void> {
  await queueWrite(tx, consumption(model, id));
}

const consumption = (model: string, id: string) =>
  sql`UPDATE "OAuthModel" SET "consumedAt" = ${now()} WHERE "model" = ${model} AND "id" = ${id} AND "consumedAt" IS NULL`;

export async function deleteOAuthRow(tx: Tx, model: string, id: string): Promise<void> {
  await execute(tx, sql`DELETE FROM "OAuthModel" WHERE "model" = ${model} AND "id" = ${id}`);
}

/**
 * Binds a grant to the session of this service it is made under, if that session is still open: a
 * session revoked meanwhile takes none (false), so no grant outlives a revocation it raced with.
 */
export async function bindGrantToSession(tx: Tx, grantId: string, sessionId: string): Promise<boolean> {
  const bound = await execute(
    tx,
    sql`UPDATE "OAuthModel" SET "sessionId" = ${sessionId}
        WHERE "model" = 'Grant' AND "id" = ${grantId} AND EXISTS (SELECT 1 FROM "Session" WHERE "id" = ${sessionId} AND "revokedAt" IS NULL)`,
  );
  return bound === 1;
}

/** Which grants end with a session (ADR 015): those made under it, or every one of a user's but those made under the session it spares. */
export type GrantsOfSessions = { sessionId: string } | { userId: number; exceptSessionId: string | null };

/**
 * Ends grants with their codes and tokens: those made under one session, or all of a user's
 * (but those of the session a password change spares). `keepOffline`: a plain sign-out, which
 * leaves a grant with offline_access alive (offline by definition) and ends the others.
 */
export async function deleteGrantsOfSessions(tx: Tx, which: GrantsOfSessions, { keepOffline = false } = {}): Promise<void> {
  const grants =
    "sessionId" in which
      ? sql`SELECT "id" FROM "OAuthModel" WHERE "model" = 'Grant' AND "sessionId" = ${which.sessionId}`
      : which.exceptSessionId
        ? sql`SELECT "id" FROM "OAuthModel" WHERE "model" = 'Grant' AND "userId" = ${which.userId} AND ("sessionId" IS NULL OR "sessionId" <> ${which.exceptSessionId})`
        : sql`SELECT "id" FROM "OAuthModel" WHERE "model" = 'Grant' AND "userId" = ${which.userId}`;
  // The payload is JSON text on both databases: offline_access is read here, in the few grants of one session.
  const ending = keepOffline
    ? (await query<{ id: string; payload: string }>(tx, sql`SELECT "id", "payload" FROM "OAuthModel" WHERE "model" = 'Grant' AND "id" IN (${grants})`))
        .filter((grant) => !grantHasOfflineAccess(grant.payload))
        .map((grant) => grant.id)
    : null;
  if (ending) {
    if (ending.length === 0) return;
    const client = await prisma(tx);
    await client.oAuthModel.deleteMany({ where: { OR: [{ grantId: { in: ending } }, { model: "Grant", id: { in: ending } }] } });
    return;
  }
  await execute(tx, sql`DELETE FROM "OAuthModel" WHERE "grantId" IN (${grants})`);
  await execute(tx, sql`DELETE FROM "OAuthModel" WHERE "model" = 'Grant' AND "id" IN (${grants})`);
}

function grantHasOfflineAccess(payload: string): boolean {
  const scope = (JSON.parse(payload) as { openid?: { scope?: string } }).openid?.scope ?? "";
  return scope.split(" ").includes("offline_access");
}

/** Every row issued under one grant, whatever its model: a revoked grant takes its codes and tokens with it. */
export async function deleteOAuthRowsOfGrant(tx: Tx, grantId: string): Promise<void> {
  await execute(tx, sql`DELETE FROM "OAuthModel" WHERE "grantId" = ${grantId}`);
}

/** An app's grants, codes and tokens for one account (Connected apps' Revoke). */
export async function deleteOAuthRowsOfApp(tx: Tx, userId: number, clientId: string): Promise<number> {
  return (await (await prisma(tx)).oAuthModel.deleteMany({ where: { userId, clientId } })).count;
}

/** Everything issued to a client (grants, codes, tokens, for every account) and the client itself. */
export async function deleteOAuthRowsOfClient(tx: Tx, clientId: string): Promise<void> {
  await execute(tx, sql`DELETE FROM "OAuthModel" WHERE "clientId" = ${clientId} OR ("model" = 'Client' AND "id" = ${clientId})`);
}

/** The rows of one model that do not expire (the registered clients), oldest first. */
export async function listOAuthRows(tx: Tx, model: string): Promise<OAuthRow[]> {
  return (await prisma(tx)).oAuthModel.findMany({ where: { model }, orderBy: { createdAt: "asc" } });
}

/** Housekeeping: deletes up to `limit` rows that expired before `cutoff`. */
export async function deleteExpiredOAuthRows(tx: Tx, cutoff: Date, limit: number): Promise<number> {
  const client = await prisma(tx);
  const old = await client.oAuthModel.findMany({ where: { expiresAt: { lt: cutoff } }, select: { model: true, id: true }, take: limit });
  if (old.length === 0) return 0;
  return (await client.oAuthModel.deleteMany({ where: { OR: old.map(({ model, id }) => ({ model, id })) } })).count;
}
