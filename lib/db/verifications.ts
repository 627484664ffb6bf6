import { now } from "@/lib/clock";
import { deleteOldest, execute, prisma, query, queueWrite, sql, type Tx } from "./sql";

export type VerificationPurpose = "verify_email" | "reset_password" | "change_email" | "mfa_login" | "reauthenticate";

export interface VerificationRecord {
  id: number;
  userId: number;
  purpose: VerificationPurpose;
  tokenHash: string;
  expiresAt: Date;
  codeHash: string | null;
  codeExpiresAt: Date | null;
  attempts: number;
  consumedAt: Date | null;
  /** change_email: the new address; mfa_login: the first factor that passed ("password", "google"…). */
  target: string | null;
  createdAt: Date;
}

/**
 * Starts a verification: earlier open ones of the same user and purpose are voided first, so only
 * the newest code or link works.
 */
export async function replaceVerification(tx: Tx, v: NewVerification): Promise<void> {
  await voidVerifications(tx, v.userId, [v.purpose]);
  await addVerification(tx, v);
}

export interface NewVerification {
  userId: number;
  purpose: VerificationPurpose;
  tokenHash: string;
  expiresAt: Date;
  codeHash?: string;
  codeExpiresAt?: Date;
  target?: string;
}

/**
 * Starts a verification beside any open ones of the user (sign-in second steps of several devices).
 * Nobody reads the new row back in the same request, so in a transaction on PostgreSQL it goes with
 * the next statement or the COMMIT instead of a round trip of its own.
 */
export async function addVerification(tx: Tx, v: NewVerification): Promise<void> {
  await queueWrite(
    tx,
    sql`INSERT INTO "Verification" ("userId", "purpose", "tokenHash", "expiresAt", "codeHash", "codeExpiresAt", "attempts", "target", "createdAt")
        VALUES (${v.userId}, ${v.purpose}, ${v.tokenHash}, ${v.expiresAt}, ${v.codeHash ?? null}, ${v.codeExpiresAt ?? null}, 0, ${v.target ?? null}, ${now()})`,
  );
}

/** Many verifications at once (bench data). */
export async function addVerifications(tx: Tx, rows: NewVerification[]): Promise<void> {
  await (await prisma(tx)).verification.createMany({ data: rows.map((v) => ({ ...v, createdAt: now() })) });
}

/** Voids every open code and link of the user for `purposes` (a password change voids reset links). */
export async function voidVerifications(tx: Tx, userId: number, purposes: VerificationPurpose[]): Promise<void> {
  for (const purpose of purposes) {
    await queueWrite(tx, sql`UPDATE "Verification" SET "consumedAt" = ${now()} WHERE "userId" = ${userId} AND "purpose" = ${purpose} AND "consumedAt" IS NULL`);
  }
}

/** Housekeeping: deletes up to `limit` verifications used or expired before `cutoff`. */
export async function deleteFinishedVerifications(tx: Tx, cutoff: Date, limit: number): Promise<number> {
  // Two walks, one per index: used before the cutoff, then expired before it.
  const used = await deleteOldest(tx, { table: sql`"Verification"`, key: sql`"id"`, condition: sql`"consumedAt" < ${cutoff}`, oldestFirst: sql`"consumedAt"` }, limit);
  if (used === limit) return used;
  return used + (await deleteOldest(tx, { table: sql`"Verification"`, key: sql`"id"`, condition: sql`"expiresAt" < ${cutoff}`, oldestFirst: sql`"expiresAt"` }, limit - used));
}

const VERIFICATION_COLUMNS = sql`"id", "userId", "purpose", "tokenHash", "expiresAt", "codeHash", "codeExpiresAt", "attempts", "consumedAt", "target", "createdAt"`;

/** The newest open verification of a user, for checking a typed code (every code check asks). */
export async function latestOpenVerification(tx: Tx, userId: number, purpose: VerificationPurpose): Promise<VerificationRecord | null> {
  const [row] = await query<VerificationRecord>(tx, sql`SELECT ${VERIFICATION_COLUMNS} FROM "Verification" WHERE "userId" = ${userId} AND ${newestOpen(purpose)}`);
  return row ?? null;
}

/** As latestOpenVerification, for the account with `email`: one statement that need not wait for the account's id. */
export async function latestOpenVerificationOf(tx: Tx, email: string, purpose: VerificationPurpose): Promise<VerificationRecord | null> {
  const [row] = await query<VerificationRecord>(
    tx,
    sql`SELECT ${VERIFICATION_COLUMNS} FROM "Verification" WHERE "userId" = (SELECT "id" FROM "User" WHERE "email" = ${email}) AND ${newestOpen(purpose)}`,
  );
  return row ?? null;
}

const newestOpen = (purpose: VerificationPurpose) => sql`"purpose" = ${purpose} AND "consumedAt" IS NULL ORDER BY "id" DESC LIMIT 1`;

export async function findVerificationByTokenHash(tx: Tx, tokenHash: string): Promise<VerificationRecord | null> {
  const [row] = await query<VerificationRecord>(tx, sql`SELECT ${VERIFICATION_COLUMNS} FROM "Verification" WHERE "tokenHash" = ${tokenHash}`);
  return row ?? null;
}

/**
 * Consumes a link token. The guarded update is the single point of truth: of any number of
 * concurrent uses, exactly one sees count 1.
 */
export async function consumeByToken(tx: Tx, tokenHash: string, purpose: VerificationPurpose): Promise<VerificationRecord | null> {
  const at = now();
  const { count } = await (await prisma(tx)).verification.updateMany({
    where: { tokenHash, purpose, consumedAt: null, expiresAt: { gt: at } },
    data: { consumedAt: at },
  });
  if (count !== 1) return null;
  return (await (await prisma(tx)).verification.findFirst({ where: { tokenHash } })) as VerificationRecord;
}

/**
 * Claims one try of a row's code before the code is compared. The guard is in the single UPDATE, so
 * of any number of concurrent tries at most `maxAttempts` are ever granted; false when the code is
 * void (tries used up), consumed or expired.
 */
export async function claimCodeAttempt(tx: Tx, id: number, maxAttempts: number): Promise<boolean> {
  const changed = await execute(
    tx,
    sql`UPDATE "Verification" SET "attempts" = "attempts" + 1
        WHERE "id" = ${id} AND "consumedAt" IS NULL AND "codeExpiresAt" > ${now()} AND "attempts" < ${maxAttempts}`,
  );
  return changed === 1;
}

/** Gives back a try claimed by claimCodeAttempt that, in the end, was refused before any comparison. */
export async function releaseCodeAttempt(tx: Tx, id: number): Promise<void> {
  await queueWrite(tx, sql`UPDATE "Verification" SET "attempts" = "attempts" - 1 WHERE "id" = ${id} AND "attempts" > 0`);
}

/** Consumes a row whose code matched on a claimed try; false when it was consumed, voided or expired meanwhile. */
export async function consumeByCode(tx: Tx, id: number): Promise<boolean> {
  const at = now();
  const changed = await execute(
    tx,
    sql`UPDATE "Verification" SET "consumedAt" = ${at} WHERE "id" = ${id} AND "consumedAt" IS NULL AND "codeExpiresAt" > ${at}`,
  );
  return changed === 1;
}

/** Whether the user started a later verification of the same purpose (which voided this one). */
export async function hasNewerVerification(tx: Tx, v: Pick<VerificationRecord, "id" | "userId" | "purpose">): Promise<boolean> {
  const newer = await (await prisma(tx)).verification.findFirst({
    where: { userId: v.userId, purpose: v.purpose, id: { gt: v.id } },
    select: { id: true },
  });
  return newer !== null;
}
