import { now } from "@/lib/clock";
import { prisma, type Tx } from "./sql";

/** The TOTP state of a user as the services need it (the secret still sealed). */
export interface TotpState {
  sealedSecret: string | null;
  enabledAt: Date | null;
  lastStep: number | null;
}

export async function findTotpState(tx: Tx, userId: number): Promise<TotpState | null> {
  const row = await (await prisma(tx)).user.findFirst({ where: { id: userId }, select: { totpSecret: true, totpEnabledAt: true, totpLastStep: true } });
  return row && { sealedSecret: row.totpSecret, enabledAt: row.totpEnabledAt, lastStep: row.totpLastStep };
}

/** A new pending secret; refused (false) once two-factor is on. */
export async function setPendingTotpSecret(tx: Tx, userId: number, sealedSecret: string): Promise<boolean> {
  const { count } = await (await prisma(tx)).user.updateMany({ where: { id: userId, totpEnabledAt: null }, data: { totpSecret: sealedSecret, totpLastStep: null } });
  return count === 1;
}

/**
 * Records that a code of time step `step` was accepted, unless one of that step or a later one
 * already was (a replayed code): false then. One guarded UPDATE, so of concurrent uses of one code
 * exactly one wins.
 */
export async function acceptTotpStep(tx: Tx, userId: number, step: number): Promise<boolean> {
  const { count } = await (await prisma(tx)).user.updateMany({
    where: { id: userId, OR: [{ totpLastStep: null }, { totpLastStep: { lt: step } }] },
    data: { totpLastStep: step },
  });
  return count === 1;
}

/** Turns two-factor on; false when it already was. */
export async function enableTotp(tx: Tx, userId: number): Promise<boolean> {
  const { count } = await (await prisma(tx)).user.updateMany({ where: { id: userId, totpEnabledAt: null, totpSecret: { not: null } }, data: { totpEnabledAt: now() } });
  return count === 1;
}

export async function disableTotp(tx: Tx, userId: number): Promise<void> {
  await (await prisma(tx)).user.update({ where: { id: userId }, data: { totpSecret: null, totpEnabledAt: null, totpLastStep: null } });
  await (await prisma(tx)).recoveryCode.deleteMany({ where: { userId } });
}

/** Replaces every recovery code of the user with new ones (their digests). */
export async function replaceRecoveryCodes(tx: Tx, userId: number, digests: string[]): Promise<void> {
  await (await prisma(tx)).recoveryCode.deleteMany({ where: { userId } });
  await (await prisma(tx)).recoveryCode.createMany({ data: digests.map((codeHash) => ({ userId, codeHash, createdAt: now() })) });
}

/** Uses up one recovery code of the user; false when it is not theirs, unknown or used. */
export async function spendRecoveryCode(tx: Tx, userId: number, digest: string): Promise<boolean> {
  const { count } = await (await prisma(tx)).recoveryCode.updateMany({ where: { userId, codeHash: digest, usedAt: null }, data: { usedAt: now() } });
  return count === 1;
}
