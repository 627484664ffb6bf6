import { now } from "@/lib/clock";
import { config } from "@/lib/config/env";
import { execute, joinSql, likeLiteral, query, sql, type Statement, type Tx } from "./sql";

/**
 * The operator's console's view of the accounts: a filtered, searched list in pages, and the
 * facts a list row shows beside the user's columns (passkeys, Google, last sign-in). ADR 016 says
 * how the search stays indexed on each database.
 */

export type AccountStatus = "verified" | "unverified" | "disabled";

export interface DirectoryFilter {
  /** A case-insensitive substring of the e-mail or the name. */
  search?: string;
  /** `disabled`: disabled; `verified`/`unverified`: enabled accounts whose address is (not) proven. */
  status?: AccountStatus;
  roleId?: number;
  twoFactor?: boolean;
}

export interface DirectoryRow {
  id: number;
  email: string;
  name: string;
  roleId: number;
  verifiedAt: Date | null;
  disabledAt: Date | null;
  totpEnabledAt: Date | null;
  createdAt: Date;
  passkeys: number;
  google: boolean;
  /** The latest sign-in (null: never). */
  lastLoginAt: Date | null;
}

/** `text` as a pattern matching what contains it, for `LIKE … ESCAPE '\'`: `%` and `_` are valid in an address. */
const likeSubstring = (text: string) => `%${likeLiteral(text)}%`;

/** The shortest piece SQLite's trigram index can find (it counts characters, as the service does). */
const TRIGRAM_LENGTH = 3;

/**
 * Above this many matches a piece is common: a walk in the page's order meets a page's worth of
 * them soon (at a million accounts, one row in 200 or more), while listing every match and sorting
 * it would cost more the more there are (ADR 016).
 */
const SEARCH_LIST_LARGEST = 5000;

/** `text` as an FTS5 query matching it as one phrase: a substring, whatever characters it holds. */
const ftsPhrase = (text: string) => `"${text.replaceAll('"', '""')}"`;

/**
 * SQLite: the ids of the accounts whose e-mail or name contains `search` (case-folded, three
 * characters or more), from the trigram index "UserSearch"; at most `limit`, any order.
 */
async function idsContaining(tx: Tx, search: string, limit: number): Promise<number[]> {
  const rows = await query<{ id: number | bigint }>(tx, sql`SELECT "rowid" AS "id" FROM "UserSearch" WHERE "UserSearch" MATCH ${ftsPhrase(search)} LIMIT ${limit}`);
  return rows.map((r) => Number(r.id));
}

async function searchCondition(tx: Tx, search: string): Promise<Statement> {
  // PostgreSQL's trigram indexes are built on lower(), and its planner picks them itself.
  if (config().databaseKind === "postgres") {
    const pattern = likeSubstring(search.toLowerCase());
    return sql`(lower(u."email") LIKE ${pattern} ESCAPE '\\' OR lower(u."name") LIKE ${pattern} ESCAPE '\\')`;
  }
  // SQLite's LIKE ignores ASCII case by itself (its lower() knows no more than ASCII either), and a
  // scan takes half the time without the calls. The piece as typed: lowered, "Ω" would miss "Ω".
  const pattern = likeSubstring(search);
  const like = sql`(u."email" LIKE ${pattern} ESCAPE '\\' OR u."name" LIKE ${pattern} ESCAPE '\\')`;
  // One or two characters hold no trigram: the index cannot answer, the walk does (the service
  // refuses such a search; other callers get the scan).
  if ([...search].length < TRIGRAM_LENGTH) return like;
  const ids = await idsContaining(tx, search, SEARCH_LIST_LARGEST + 1);
  if (ids.length > SEARCH_LIST_LARGEST) return like;
  // A few: the page is cut from them, looked up by id. (The index folds case beyond ASCII too, so a
  // common piece's walk by LIKE can miss accented capitals the index would find.)
  return sql`u."id" IN (SELECT "value" FROM json_each(${JSON.stringify(ids)}))`;
}

async function conditionsOf(tx: Tx, filter: DirectoryFilter): Promise<Statement[]> {
  const where: Statement[] = [];
  if (filter.search) where.push(await searchCondition(tx, filter.search));
  if (filter.status === "disabled") where.push(sql`u."disabledAt" IS NOT NULL`);
  if (filter.status === "verified") where.push(sql`u."verifiedAt" IS NOT NULL AND u."disabledAt" IS NULL`);
  if (filter.status === "unverified") where.push(sql`u."verifiedAt" IS NULL AND u."disabledAt" IS NULL`);
  if (filter.roleId !== undefined) where.push(sql`u."roleId" = ${filter.roleId}`);
  if (filter.twoFactor === true) where.push(sql`u."totpEnabledAt" IS NOT NULL`);
  if (filter.twoFactor === false) where.push(sql`u."totpEnabledAt" IS NULL`);
  return where;
}

/** The orders of the users table: by creation (the id's order), by e-mail, by last sign-in. */
export type DirectorySortKey = "created" | "email" | "last_login";

export interface DirectorySort {
  key: DirectorySortKey;
  descending: boolean;
}

/** Where a page ended in its order: its last row's id, and its e-mail or last sign-in (null: never) for those orders. */
export interface DirectoryPosition {
  id: number;
  email?: string;
  lastLoginAt?: Date | null;
}

interface RawRow extends Omit<DirectoryRow, "passkeys" | "google" | "lastLoginAt"> {
  passkeys: number | bigint;
  google: number | bigint;
  lastLoginAt: Date | string | null;
}

/** Up to `limit` accounts meeting every condition of `where`, in `order`. */
async function directoryPage(tx: Tx, where: Statement[], order: Statement, limit: number): Promise<DirectoryRow[]> {
  if (limit <= 0) return [];
  const rows = await query<RawRow>(
    tx,
    sql`SELECT u."id", u."email", u."name", u."roleId", u."verifiedAt", u."disabledAt", u."totpEnabledAt", u."createdAt", u."lastLoginAt",
          (SELECT COUNT(*) FROM "Passkey" p WHERE p."userId" = u."id") AS "passkeys",
          (SELECT COUNT(*) FROM "Account" a WHERE a."userId" = u."id" AND a."provider" = 'google') AS "google"
        FROM "User" u
        WHERE ${where.length ? joinSql(where, " AND ") : sql`1 = 1`}
        ORDER BY ${order}
        LIMIT ${limit}`,
  );
  // Aggregates carry no declared type on SQLite: its counts come as numbers or bigints.
  return rows.map((r) => ({
    ...r,
    passkeys: Number(r.passkeys),
    google: Number(r.google) > 0,
    lastLoginAt: r.lastLoginAt === null ? null : new Date(r.lastLoginAt),
  }));
}

/**
 * Accounts matching `filter` in `sort`'s order, `limit` of them after `after`: keyset pages, each
 * a walk of one index from where the last ended (no OFFSET): the primary key, the unique index of
 * e-mail, or (lastLoginAt, id). By last sign-in the accounts that never signed in come last in
 * either direction, by id: a second range of that index once the first is done.
 */
export async function searchUsers(tx: Tx, filter: DirectoryFilter, sort: DirectorySort, limit: number, after: DirectoryPosition | null): Promise<DirectoryRow[]> {
  const where = await conditionsOf(tx, filter);
  const direction = sort.descending ? sql`DESC` : sql`ASC`;
  const past = (column: Statement, value: unknown) => (sort.descending ? sql`${column} < ${value}` : sql`${column} > ${value}`);
  if (sort.key === "created") return directoryPage(tx, after ? [...where, past(sql`u."id"`, after.id)] : where, sql`u."id" ${direction}`, limit);
  // Addresses are unique: the e-mail alone orders the rows.
  if (sort.key === "email") return directoryPage(tx, after ? [...where, past(sql`u."email"`, after.email ?? "")] : where, sql`u."email" ${direction}`, limit);

  const rows: DirectoryRow[] = [];
  const inNever = after !== null && (after.lastLoginAt ?? null) === null;
  if (!inNever) {
    const at = after?.lastLoginAt;
    // The bound on lastLoginAt is what the index range starts from; the OR only settles ties.
    const range = at
      ? [sort.descending ? sql`u."lastLoginAt" <= ${at}` : sql`u."lastLoginAt" >= ${at}`, sql`(${past(sql`u."lastLoginAt"`, at)} OR ${past(sql`u."id"`, after!.id)})`]
      : [sql`u."lastLoginAt" IS NOT NULL`];
    rows.push(...(await directoryPage(tx, [...where, ...range], sql`u."lastLoginAt" ${direction}, u."id" ${direction}`, limit)));
  }
  const never = [sql`u."lastLoginAt" IS NULL`, ...(inNever ? [past(sql`u."id"`, after.id)] : [])];
  rows.push(...(await directoryPage(tx, [...where, ...never], sql`u."id" ${direction}`, limit - rows.length)));
  return rows;
}

/** The directory's facts about one account. */
export async function directoryRowOf(tx: Tx, userId: number): Promise<DirectoryRow | null> {
  const [row] = await searchUsers(tx, {}, { key: "created", descending: true }, 1, { id: userId + 1 });
  return row?.id === userId ? row : null;
}

/**
 * Holds every change of who is an admin to one at a time until `tx` ends (a write lock on the admin
 * role's row: PostgreSQL's row lock, SQLite's database lock), so that two admins demoting each
 * other at once cannot both see the other still there.
 */
export async function lockAdminRole(tx: Tx, adminRoleId: number): Promise<void> {
  await execute(tx, sql`UPDATE "Role" SET "name" = "name" WHERE "id" = ${adminRoleId}`);
}

/** Enabled accounts with `roleId`: the admins who can still act. */
export async function countEnabledWithRole(tx: Tx, roleId: number): Promise<number> {
  const [row] = await query<{ n: number | bigint }>(tx, sql`SELECT COUNT(*) AS "n" FROM "User" WHERE "roleId" = ${roleId} AND "disabledAt" IS NULL`);
  return Number(row?.n ?? 0);
}

/** Every account. */
export async function countUsers(tx: Tx): Promise<number> {
  const [row] = await query<{ n: number | bigint }>(tx, sql`SELECT COUNT(*) AS "n" FROM "User"`);
  return Number(row?.n ?? 0);
}

/** Gives user `id` role `roleId`; false for an unknown id. */
export async function setRoleOf(tx: Tx, id: number, roleId: number): Promise<boolean> {
  return (await execute(tx, sql`UPDATE "User" SET "roleId" = ${roleId}, "updatedAt" = ${now()} WHERE "id" = ${id}`)) === 1;
}

/** Lets a disabled account in again; false when it was not disabled. */
export async function markEnabled(tx: Tx, id: number): Promise<boolean> {
  return (await execute(tx, sql`UPDATE "User" SET "disabledAt" = NULL, "updatedAt" = ${now()} WHERE "id" = ${id} AND "disabledAt" IS NOT NULL`)) === 1;
}
