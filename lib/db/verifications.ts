import { now } from "@/lib/clock";
import { db, type Db, type Tx } from "./client";

export type VerificationPurpose = "verify_email" | "reset_password";

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
  createdAt: Date;
}

/**
 * Starts a verification: earlier open ones of the same user and purpose are voided first, so only
 * the newest code or link works.
 */
export async function replaceVerification(
  tx: Db | Tx,
  v: { userId: number; purpose: VerificationPurpose; tokenHash: string; expiresAt: Date; codeHash?: string; codeExpiresAt?: Date },
): Promise<VerificationRecord> {
  const at = now();
  await tx.verification.updateMany({
    where: { userId: v.userId, purpose: v.purpose, consumedAt: null },
    data: { consumedAt: at },
  });
  return (await tx.verification.create({ data: { ...v, createdAt: at } })) as VerificationRecord;
}

/** The newest open verification of a user, for checking a typed code. */
export async function latestOpenVerification(userId: number, purpose: VerificationPurpose): Promise<VerificationRecord | null> {
  return (await db().verification.findFirst({
    where: { userId, purpose, consumedAt: null },
    orderBy: { id: "desc" },
  })) as VerificationRecord | null;
}

export async function findVerificationByTokenHash(tokenHash: string): Promise<VerificationRecord | null> {
  return (await db().verification.findUnique({ where: { tokenHash } })) as VerificationRecord | null;
}

/**
 * Consumes a link token. The guarded update is the single point of truth: of any number of
 * concurrent uses, exactly one sees count 1.
 */
export async function consumeByToken(tx: Db | Tx, tokenHash: string, purpose: VerificationPurpose): Promise<VerificationRecord | null> {
  const at = now();
  const { count } = await tx.verification.updateMany({
    where: { tokenHash, purpose, consumedAt: null, expiresAt: { gt: at } },
    data: { consumedAt: at },
  });
  if (count !== 1) return null;
  return (await tx.verification.findUnique({ where: { tokenHash } })) as VerificationRecord;
}

/** Consumes a row after its code matched; false when it was consumed, voided or expired meanwhile. */
export async function consumeByCode(tx: Db | Tx, id: number, maxAttempts: number): Promise<boolean> {
  const at = now();
  const { count } = await tx.verification.updateMany({
    where: { id, consumedAt: null, codeExpiresAt: { gt: at }, attempts: { lt: maxAttempts } },
    data: { consumedAt: at },
  });
  return count === 1;
}

/** Counts a wrong code; returns the attempts now recorded (the row is void at maxAttempts). */
export async function recordWrongCode(id: number): Promise<number> {
  const row = await db().verification.update({ where: { id }, data: { attempts: { increment: 1 } }, select: { attempts: true } });
  return row.attempts;
}
