import { Prisma } from "./generated/postgres/client";
import { db, type Db, type Tx } from "./client";
import { now } from "@/lib/clock";

/** What the services see of a user row (with its role name). */
export interface UserRecord {
  id: number;
  email: string;
  name: string;
  dob: string | null;
  mobile: string;
  passwordHash: string | null;
  verifiedAt: Date | null;
  disabledAt: Date | null;
  roleId: number;
  roleName: string;
  failedLoginCount: number;
  lastFailedLoginAt: Date | null;
  sessionsValidFrom: Date;
  createdAt: Date;
}

const withRole = { role: { select: { name: true } } } as const;
type Row = Prisma.UserGetPayload<{ include: typeof withRole }>;

function toRecord(row: Row): UserRecord {
  const { role, updatedAt: _updatedAt, ...rest } = row;
  return { ...rest, roleName: role.name };
}

export async function findUserByEmail(email: string, client: Db | Tx = db()): Promise<UserRecord | null> {
  const row = await client.user.findUnique({ where: { email }, include: withRole });
  return row && toRecord(row);
}

export async function findUserById(id: number, client: Db | Tx = db()): Promise<UserRecord | null> {
  const row = await client.user.findUnique({ where: { id }, include: withRole });
  return row && toRecord(row);
}

export interface NewUser {
  email: string;
  name?: string;
  dob?: string | null;
  mobile?: string;
  passwordHash: string | null;
  roleId: number;
  verifiedAt?: Date | null;
}

export class EmailTakenError extends Error {
  override name = "EmailTakenError";
}

/** Inserts a user; a concurrent insert of the same e-mail surfaces as `EmailTakenError`. */
export async function insertUser(tx: Db | Tx, user: NewUser): Promise<UserRecord> {
  try {
    const row = await tx.user.create({ data: { ...user, name: user.name ?? "", mobile: user.mobile ?? "" }, include: withRole });
    return toRecord(row);
  } catch (error) {
    if (isUniqueViolation(error)) throw new EmailTakenError(user.email);
    throw error;
  }
}

export function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002";
}

export async function updateProfile(
  id: number,
  fields: { name?: string; mobile?: string; dob?: string },
): Promise<UserRecord> {
  const row = await db().user.update({ where: { id }, data: fields, include: withRole });
  return toRecord(row);
}

export async function markVerified(tx: Db | Tx, id: number): Promise<void> {
  await tx.user.updateMany({ where: { id, verifiedAt: null }, data: { verifiedAt: now() } });
}

/** A new password: failed-login streak cleared and every browser session issued before now void. */
export async function setPasswordHash(tx: Db | Tx, id: number, passwordHash: string): Promise<void> {
  await tx.user.update({
    where: { id },
    data: { passwordHash, failedLoginCount: 0, lastFailedLoginAt: null, sessionsValidFrom: now() },
  });
}

/** Re-hash on login: replaces the hash only if it is still the one that was verified. */
export async function upgradePasswordHash(id: number, oldHash: string, newHash: string): Promise<void> {
  await db().user.updateMany({ where: { id, passwordHash: oldHash }, data: { passwordHash: newHash } });
}

/**
 * Counts a login attempt against the account before its password is checked, so that a burst of
 * concurrent guesses gets no more checks than the same guesses one after another. The guard is in
 * the single UPDATE: below `threshold` any attempt may claim (each claim moves the streak up), at
 * or above it only one attempt per streak value `seenCount`, whose wait the caller found over.
 * False when the attempt must wait.
 */
export async function claimLoginAttempt(id: number, seenCount: number, threshold: number): Promise<boolean> {
  // Counted as a failure from the start; a right password clears the streak (clearFailedLogins).
  const { count } = await db().user.updateMany({
    where: { id, OR: [{ failedLoginCount: { lt: threshold } }, { failedLoginCount: seenCount }] },
    data: { failedLoginCount: { increment: 1 }, lastFailedLoginAt: now() },
  });
  return count === 1;
}

export async function clearFailedLogins(id: number): Promise<void> {
  await db().user.updateMany({ where: { id, failedLoginCount: { gt: 0 } }, data: { failedLoginCount: 0, lastFailedLoginAt: null } });
}

export async function endBrowserSessions(tx: Db | Tx, id: number): Promise<void> {
  await tx.user.update({ where: { id }, data: { sessionsValidFrom: now() } });
}

export async function setRole(email: string, roleId: number): Promise<UserRecord | null> {
  const updated = await db().user.updateMany({ where: { email }, data: { roleId } });
  return updated.count ? findUserByEmail(email) : null;
}
