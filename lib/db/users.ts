import { randomBytes } from "node:crypto";
import type { Prisma } from "./generated/postgres/client";
import { isUniqueViolation } from "./errors";
import { deleteAddressWindows } from "./rate-limits";
import { joinSql, multiRowChunks, prisma, query, queueWrite, sql, type Statement, type Tx } from "./sql";
import { roleName } from "./roles";
import { now } from "@/lib/clock";

/** What the services see of a user row (with its role name). */
export interface User {
  id: number;
  email: string;
  name: string;
  dob: string | null;
  mobile: string;
  /** Null for an account that has never set a password (Google-only). */
  passwordHash: string | null;
  verifiedAt: Date | null;
  disabledAt: Date | null;
  roleId: number;
  roleName: string;
  /** Two-factor authentication (TOTP) is on since then; null when off. */
  totpEnabledAt: Date | null;
  /** The language chosen on the profile (lib/i18n/locales.ts); null: the browser's. */
  locale: string | null;
  createdAt: Date;
}

type FullRow = Prisma.UserGetPayload<object>;
/**
 * Columns a User never carries (a query that names its columns may leave them out): its secrets,
 * and the latest sign-in, which only the console's directory reads (lib/db/user-directory.ts).
 */
type UncarriedColumn = "totpSecret" | "totpLastStep" | "webauthnHandle" | "lastLoginAt";
/** A user row as Prisma returns it, or without the columns a User does not carry. */
export type UserRow = Omit<FullRow, UncarriedColumn> & Partial<Pick<FullRow, UncarriedColumn>>;

/** A User's columns of "User" u (no secrets), for statements of lib/db/sql.ts. */
export const USER_COLUMNS = sql`u."id", u."email", u."name", u."dob", u."mobile", u."passwordHash", u."verifiedAt", u."disabledAt", u."roleId",
  u."totpEnabledAt", u."locale", u."createdAt", u."updatedAt"`;

/**
 * Roles change only with a migration, so a user's role name comes from the role list read once per
 * process (lib/db/roles.ts) instead of a second query per user lookup.
 */
export async function toUserRecord(tx: Tx, row: UserRow): Promise<User> {
  const { updatedAt: _updatedAt, totpSecret: _secret, totpLastStep: _step, webauthnHandle: _handle, lastLoginAt: _lastLogin, ...rest } = row;
  return { ...rest, roleName: await roleName(tx, row.roleId) };
}

/** Every login asks, so it is one statement of lib/db/sql.ts rather than a Prisma query. */
export async function findUserByEmail(tx: Tx, email: string): Promise<User | null> {
  const [row] = await query<UserRow>(tx, sql`SELECT ${USER_COLUMNS} FROM "User" u WHERE u."email" = ${email}`);
  return row ? toUserRecord(tx, row) : null;
}

export async function findUserById(tx: Tx, id: number): Promise<User | null> {
  const [row] = await query<UserRow>(tx, sql`SELECT ${USER_COLUMNS} FROM "User" u WHERE u."id" = ${id}`);
  return row ? toUserRecord(tx, row) : null;
}

/** The addresses of those of `ids` whose accounts still exist, by id: one statement for a page of rows that name accounts. */
export async function emailsOfUsers(tx: Tx, ids: readonly number[]): Promise<Map<number, string>> {
  if (ids.length === 0) return new Map();
  const rows = await query<{ id: number; email: string }>(tx, sql`SELECT "id", "email" FROM "User" WHERE "id" IN (${joinSql(ids.map((id) => sql`${id}`), ", ")})`);
  return new Map(rows.map((r) => [Number(r.id), r.email]));
}

export interface NewUser {
  email: string;
  name?: string;
  dob?: string | null;
  mobile?: string;
  passwordHash: string | null;
  roleId: number;
  verifiedAt?: Date | null;
  disabledAt?: Date | null;
  /** Its creation signs it in (a sign-up that starts a session): its last sign-in is written with it. */
  signsIn?: boolean;
}

export class EmailTakenError extends Error {
  override name = "EmailTakenError";
}

/** The columns a new account is written with, and its values: the defaults of a row written one way or the other. */
const NEW_USER_COLUMNS = sql`("email", "name", "dob", "mobile", "passwordHash", "verifiedAt", "disabledAt", "roleId", "lastLoginAt", "createdAt", "updatedAt")`;

function newUserValues(user: NewUser, at: Date): Statement {
  return sql`(${user.email}, ${user.name ?? ""}, ${user.dob ?? null}, ${user.mobile ?? ""}, ${user.passwordHash}, ${user.verifiedAt ?? null},
    ${user.disabledAt ?? null}, ${user.roleId}, ${user.signsIn ? at : null}, ${at}, ${at})`;
}

/** Inserts a user; a concurrent insert of the same e-mail surfaces as `EmailTakenError`. */
export async function insertUser(tx: Tx, user: NewUser): Promise<User> {
  const at = now();
  const row: UserRow = {
    id: 0,
    email: user.email,
    name: user.name ?? "",
    dob: user.dob ?? null,
    mobile: user.mobile ?? "",
    passwordHash: user.passwordHash,
    verifiedAt: user.verifiedAt ?? null,
    disabledAt: user.disabledAt ?? null,
    roleId: user.roleId,
    totpEnabledAt: null,
    locale: null,
    createdAt: at,
    updatedAt: at,
  };
  try {
    const [inserted] = await query<{ id: number }>(tx, sql`INSERT INTO "User" ${NEW_USER_COLUMNS} VALUES ${newUserValues(user, at)} RETURNING "id"`);
    return toUserRecord(tx, { ...row, id: inserted!.id });
  } catch (error) {
    if (isUniqueViolation(error)) throw new EmailTakenError(user.email);
    throw error;
  }
}

/**
 * Rows per multi-row INSERT: eleven parameters a user, well under SQLite's 32,766 bound parameters
 * and PostgreSQL's 65,535, and a statement text short enough to build per call.
 */
const USERS_PER_INSERT = 1000;

/**
 * Inserts the users whose e-mail is not taken yet (an import), up to a thousand per statement; a taken
 * e-mail is left as it is, not an error. Returns the ids and e-mails of the users inserted (the
 * e-mails must be distinct: of two equal ones in one statement PostgreSQL inserts one silently).
 */
export async function insertUsersIfNew(tx: Tx, users: readonly NewUser[]): Promise<Array<{ id: number; email: string }>> {
  const at = now();
  const inserted: Array<{ id: number; email: string }> = [];
  for (const chunk of multiRowChunks(users, USERS_PER_INSERT)) {
    const values = joinSql(chunk.map((user) => newUserValues(user, at)), ", ");
    inserted.push(
      ...(await query<{ id: number; email: string }>(
        tx,
        sql`INSERT INTO "User" ${NEW_USER_COLUMNS} VALUES ${values} ON CONFLICT ("email") DO NOTHING RETURNING "id", "email"`,
      )),
    );
  }
  return inserted;
}

export async function updateProfile(tx: Tx, id: number, fields: { name?: string; mobile?: string; dob?: string; locale?: string | null }): Promise<User> {
  const row = await (await prisma(tx)).user.update({ where: { id }, data: fields });
  return toUserRecord(tx, row);
}

/** Keeps the time of the account's latest sign-in, queued with the sign-in's other writes. */
export async function recordLastLogin(tx: Tx, id: number, at: Date): Promise<void> {
  await queueWrite(tx, sql`UPDATE "User" SET "lastLoginAt" = ${at} WHERE "id" = ${id}`);
}

export async function markVerified(tx: Tx, id: number): Promise<void> {
  const at = now();
  await queueWrite(tx, sql`UPDATE "User" SET "verifiedAt" = ${at}, "updatedAt" = ${at} WHERE "id" = ${id} AND "verifiedAt" IS NULL`);
}

/** Sets (or, with null, removes) the account's password. */
export async function setPasswordHash(tx: Tx, id: number, passwordHash: string | null): Promise<void> {
  await (await prisma(tx)).user.update({ where: { id }, data: { passwordHash } });
}

/** Re-hash on login: replaces the hash only if it is still the one that was verified. */
export async function upgradePasswordHash(tx: Tx, id: number, oldHash: string, newHash: string): Promise<void> {
  await (await prisma(tx)).user.updateMany({ where: { id, passwordHash: oldHash }, data: { passwordHash: newHash } });
}

export async function setRole(tx: Tx, email: string, roleId: number): Promise<User | null> {
  const updated = await (await prisma(tx)).user.updateMany({ where: { email }, data: { roleId } });
  return updated.count ? findUserByEmail(tx, email) : null;
}

/** The user's passkey handle, made on first use: random, stable, never the e-mail or the id. */
export async function webauthnHandleOf(tx: Tx, id: number): Promise<string> {
  await (await prisma(tx)).user.updateMany({ where: { id, webauthnHandle: null }, data: { webauthnHandle: randomBytes(32).toString("base64url") } });
  const row = await (await prisma(tx)).user.findFirstOrThrow({ where: { id }, select: { webauthnHandle: true } });
  return row.webauthnHandle!;
}

/** Gives the user a new address (an e-mail change, confirmed): it is verified by the link that reached it. */
export async function changeEmail(tx: Tx, id: number, email: string): Promise<User> {
  try {
    return toUserRecord(tx, await (await prisma(tx)).user.update({ where: { id }, data: { email, verifiedAt: now() } }));
  } catch (error) {
    if (isUniqueViolation(error)) throw new EmailTakenError(email);
    throw error;
  }
}

/**
 * Deletes an account and the personal data it left elsewhere: its audit events lose their user,
 * address and browser (they stay, as numbers of events), the counters and mail kept for its address
 * go. Sessions, links, passkeys, recovery codes and Google links go with the user row.
 */
export async function eraseUser(tx: Tx, user: { id: number; email: string }): Promise<boolean> {
  await (await prisma(tx)).auditEvent.updateMany({ where: { userId: user.id }, data: { userId: null, ip: null, userAgent: null } });
  // Mail to the address goes, but for security notices still on their way (they tell the owner
  // what happened, and are erased once sent); so does mail to an address it was changing to.
  const changingTo = await (await prisma(tx)).verification.findMany({ where: { userId: user.id, purpose: "change_email", target: { not: null } }, select: { target: true } });
  await (await prisma(tx)).outboxEmail.deleteMany({
    where: {
      OR: [
        { to: user.email, NOT: { status: "pending", kind: "notice" } },
        { to: { in: changingTo.map((v) => v.target!) }, kind: "verification" },
      ],
    },
  });
  // By exact key, or escaped prefix: `%` and `_` are valid in an address, and as a pattern would match others'.
  await deleteAddressWindows(tx, user.email);
  // deleteMany: of two concurrent deletions, the second finds nothing to delete.
  return (await (await prisma(tx)).user.deleteMany({ where: { id: user.id } })).count === 1;
}

/** Disables the account (no door gives it tokens); false when it already was. */
export async function markDisabled(tx: Tx, id: number): Promise<boolean> {
  const at = now();
  return (await (await prisma(tx)).user.updateMany({ where: { id, disabledAt: null }, data: { disabledAt: at } })).count === 1;
}
