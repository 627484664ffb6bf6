import { now } from "@/lib/clock";
import { deleteOldest, prisma, sql, type Tx } from "./sql";

/** "register" and "reauthenticate" belong to a signed-in user; "login" to whoever answers it. */
export type ChallengePurpose = "register" | "login" | "reauthenticate";

export async function storeChallenge(tx: Tx, challenge: string, purpose: ChallengePurpose, userId: number | null, expiresAt: Date): Promise<void> {
  await (await prisma(tx)).webAuthnChallenge.create({ data: { challenge, purpose, userId, expiresAt, createdAt: now() } });
}

/**
 * Uses up a challenge of `purpose` (and, for registrations, of `userId`): one guarded UPDATE, so a
 * challenge answers one response only, and never after it expired. False otherwise.
 */
export async function consumeChallenge(tx: Tx, challenge: string, purpose: ChallengePurpose, userId: number | null): Promise<boolean> {
  const at = now();
  const { count } = await (await prisma(tx)).webAuthnChallenge.updateMany({
    where: { challenge, purpose, consumedAt: null, expiresAt: { gt: at }, ...(purpose === "login" ? {} : { userId }) },
    data: { consumedAt: at },
  });
  return count === 1;
}

/** Housekeeping: deletes up to `limit` challenges that expired before `cutoff`. */
export async function deleteExpiredChallenges(tx: Tx, cutoff: Date, limit: number): Promise<number> {
  return deleteOldest(tx, { table: sql`"WebAuthnChallenge"`, key: sql`"challenge"`, condition: sql`"expiresAt" < ${cutoff}`, oldestFirst: sql`"expiresAt"` }, limit);
}
