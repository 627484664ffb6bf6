import { now } from "@/lib/clock";
import { config } from "@/lib/config/env";
import { execute, joinSql, query, sql, type Statement, type Tx } from "./sql";

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
  /** The latest sign-in the audit log still holds (AUDIT_RETENTION_DAYS). */
  lastLoginAt: Date | null;
}

/** `text` as a pattern matching what contains it, for `LIKE … ESCAPE '\'`: `%` and `_` are valid in an address. */
const likeSubstring = (text: string) => `%${text.replace(/[\\%_]/g, "\\$&")}%`;

function conditionsOf(filter: DirectoryFilter, beforeId: number | null): Statement[] {
  const where: Statement[] = [];
  if (filter.search) {
    const pattern = likeSubstring(filter.search.toLowerCase());
    // PostgreSQL's trigram indexes are built on lower(); SQLite's LIKE ignores ASCII case by itself (its
    // lower() knows no more than ASCII either), and its scan takes half the time without the calls.
    where.push(
      config().databaseKind === "postgres"
        ? sql`(lower(u."email") LIKE ${pattern} ESCAPE '\\' OR lower(u."name") LIKE ${pattern} ESCAPE '\\')`
        : sql`(u."email" LIKE ${pattern} ESCAPE '\\' OR u."name" LIKE ${pattern} ESCAPE '\\')`,
    );
  }
  if (filter.status === "disabled") where.push(sql`u."disabledAt" IS NOT NULL`);
  if (filter.status === "verified") where.push(sql`u."verifiedAt" IS NOT NULL AND u."disabledAt" IS NULL`);
  if (filter.status === "unverified") where.push(sql`u."verifiedAt" IS NULL AND u."disabledAt" IS NULL`);
  if (filter.roleId !== undefined) where.push(sql`u."roleId" = ${filter.roleId}`);
  if (filter.twoFactor === true) where.push(sql`u."totpEnabledAt" IS NOT NULL`);
  if (filter.twoFactor === false) where.push(sql`u."totpEnabledAt" IS NULL`);
  if (beforeId !== null) where.push(sql`u."id" < ${beforeId}`);
  return where;
}

interface RawRow extends Omit<DirectoryRow, "passkeys" | "google" | "lastLoginAt"> {
  passkeys: number | bigint;
  google: number | bigint;
  lastLoginAt: Date | string | null;
}

/**
 * Accounts matching `filter`, newest first, `limit` of them with ids below `beforeId` (keyset
 * paging on the primary key: no OFFSET).
 */
export async function searchUsers(tx: Tx, filter: DirectoryFilter, limit: number, beforeId: number | null): Promise<DirectoryRow[]> {
  const where = conditionsOf(filter, beforeId);
  const rows = await query<RawRow>(
    tx,
    sql`SELECT u."id", u."email", u."name", u."roleId", u."verifiedAt", u."disabledAt", u."totpEnabledAt", u."createdAt",
          (SELECT COUNT(*) FROM "Passkey" p WHERE p."userId" = u."id") AS "passkeys",
          (SELECT COUNT(*) FROM "Account" a WHERE a."userId" = u."id" AND a."provider" = 'google') AS "google",
          (SELECT MAX(e."createdAt") FROM "AuditEvent" e WHERE e."userId" = u."id" AND e."type" = 'login') AS "lastLoginAt"
        FROM "User" u
        WHERE ${where.length ? joinSql(where, " AND ") : sql`1 = 1`}
        ORDER BY u."id" DESC
        LIMIT ${limit}`,
  );
  // Aggregates carry no declared type on SQLite: its counts come as numbers or bigints, its MAX as ISO text.
  return rows.map((r) => ({
    ...r,
    passkeys: Number(r.passkeys),
    google: Number(r.google) > 0,
    lastLoginAt: r.lastLoginAt === null ? null : new Date(r.lastLoginAt),
  }));
}

/** The directory's facts about one account. */
export async function directoryRowOf(tx: Tx, userId: number): Promise<DirectoryRow | null> {
  const [row] = await searchUsers(tx, {}, 1, userId + 1);
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
