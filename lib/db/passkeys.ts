import { now } from "@/lib/clock";
import { isUniqueViolation } from "./errors";
import { prisma, type Tx } from "./sql";

export interface PasskeyRecord {
  id: string;
  userId: number;
  name: string;
  publicKey: string;
  counter: number;
  transports: string[];
  deviceType: string;
  backedUp: boolean;
  createdAt: Date;
  lastUsedAt: Date | null;
}

type Row = Omit<PasskeyRecord, "transports"> & { transports: string };
const toRecord = (row: Row): PasskeyRecord => ({ ...row, transports: row.transports ? row.transports.split(",") : [] });

export class PasskeyExistsError extends Error {
  override name = "PasskeyExistsError";
}

export async function insertPasskey(tx: Tx, p: Omit<PasskeyRecord, "createdAt" | "lastUsedAt">): Promise<PasskeyRecord> {
  try {
    return toRecord(await (await prisma(tx)).passkey.create({ data: { ...p, transports: p.transports.join(","), createdAt: now() } }));
  } catch (error) {
    if (isUniqueViolation(error)) throw new PasskeyExistsError(p.id);
    throw error;
  }
}

export async function findPasskey(tx: Tx, id: string): Promise<PasskeyRecord | null> {
  const row = await (await prisma(tx)).passkey.findFirst({ where: { id } });
  return row && toRecord(row);
}

export async function listPasskeys(tx: Tx, userId: number): Promise<PasskeyRecord[]> {
  return (await (await prisma(tx)).passkey.findMany({ where: { userId }, orderBy: { createdAt: "asc" } })).map(toRecord);
}

/**
 * Records a use: the signature counter moves to `counter`, guarded so that a counter that did not
 * grow (a cloned authenticator, or a replay racing the original) updates nothing and gives false.
 * Authenticators that do not count report 0 every time; those are always accepted.
 */
export async function recordPasskeyUse(tx: Tx, id: string, previous: number, counter: number): Promise<boolean> {
  if (counter === 0 && previous === 0) {
    await (await prisma(tx)).passkey.update({ where: { id }, data: { lastUsedAt: now() } });
    return true;
  }
  const { count } = await (await prisma(tx)).passkey.updateMany({ where: { id, counter: { lt: counter } }, data: { counter, lastUsedAt: now() } });
  return count === 1;
}

export async function deletePasskey(tx: Tx, userId: number, id: string): Promise<boolean> {
  const { count } = await (await prisma(tx)).passkey.deleteMany({ where: { id, userId } });
  return count === 1;
}

/** Removes every passkey of the user (what was added before the address was proven). */
export async function deleteAllPasskeys(tx: Tx, userId: number): Promise<number> {
  return (await (await prisma(tx)).passkey.deleteMany({ where: { userId } })).count;
}
