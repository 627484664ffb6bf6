import type { Prisma } from "./generated/postgres/client";
import { db, type Db, type Tx } from "./client";
import { isUniqueViolation } from "./errors";
import { now } from "@/lib/clock";

/** What the services see of a user row (with its role name). */
export interface UserRecord {
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
  createdAt: Date;
}

export const withRole = { role: { select: { name: true } } } as const;
type Row = Prisma.UserGetPayload<{ include: typeof withRole }>;

export function toUserRecord(row: Row): UserRecord {
  const { role, updatedAt: _updatedAt, ...rest } = row;
  return { ...rest, roleName: role.name };
}

export async function findUserByEmail(email: string, client: Db | Tx = db()): Promise<UserRecord | null> {
  const row = await client.user.findUnique({ where: { email }, include: withRole });
  return row && toUserRecord(row);
}

export async function findUserById(id: number, client: Db | Tx = db()): Promise<UserRecord | null> {
  const row = await client.user.findUnique({ where: { id }, include: withRole });
  return row && toUserRecord(row);
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
}

export class EmailTakenError extends Error {
  override name = "EmailTakenError";
}

/** Inserts a user; a concurrent insert of the same e-mail surfaces as `EmailTakenError`. */
export async function insertUser(tx: Db | Tx, user: NewUser): Promise<UserRecord> {
  try {
    const row = await tx.user.create({ data: { ...user, name: user.name ?? "", mobile: user.mobile ?? "" }, include: withRole });
    return toUserRecord(row);
  } catch (error) {
    if (isUniqueViolation(error)) throw new EmailTakenError(user.email);
    throw error;
  }
}

export async function updateProfile(id: number, fields: { name?: string; mobile?: string; dob?: string }): Promise<UserRecord> {
  const row = await db().user.update({ where: { id }, data: fields, include: withRole });
  return toUserRecord(row);
}

export async function markVerified(tx: Db | Tx, id: number): Promise<void> {
  await tx.user.updateMany({ where: { id, verifiedAt: null }, data: { verifiedAt: now() } });
}

/** Sets (or, with null, removes) the account's password. */
export async function setPasswordHash(tx: Db | Tx, id: number, passwordHash: string | null): Promise<void> {
  await tx.user.update({ where: { id }, data: { passwordHash } });
}

/** Re-hash on login: replaces the hash only if it is still the one that was verified. */
export async function upgradePasswordHash(id: number, oldHash: string, newHash: string): Promise<void> {
  await db().user.updateMany({ where: { id, passwordHash: oldHash }, data: { passwordHash: newHash } });
}

export async function setRole(email: string, roleId: number): Promise<UserRecord | null> {
  const updated = await db().user.updateMany({ where: { email }, data: { roleId } });
  return updated.count ? findUserByEmail(email) : null;
}
