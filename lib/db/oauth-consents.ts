import { now } from "@/lib/clock";
import { execute, prisma, sql, type Tx } from "./sql";

/**
 * Consent remembered per account and client (ADR 015): what the person allowed an app, so that a
 * later request for no more than that is not asked again. Scopes and claims are space-separated,
 * the resource scopes a JSON object of space-separated scopes per resource indicator.
 */
export interface ConsentRecord {
  userId: number;
  clientId: string;
  scopes: string;
  claims: string;
  resources: string;
  grantedAt: Date;
  lastUsedAt: Date | null;
}

export async function findConsent(tx: Tx, userId: number, clientId: string): Promise<ConsentRecord | null> {
  return (await prisma(tx)).oAuthConsent.findUnique({ where: { userId_clientId: { userId, clientId } } });
}

/** Records what was allowed (the caller merges it with what was allowed before). */
export async function saveConsent(tx: Tx, consent: Pick<ConsentRecord, "userId" | "clientId" | "scopes" | "claims" | "resources">): Promise<void> {
  const { userId, clientId, ...allowed } = consent;
  const at = now();
  await (await prisma(tx)).oAuthConsent.upsert({
    where: { userId_clientId: { userId, clientId } },
    create: { userId, clientId, ...allowed, grantedAt: at },
    update: { ...allowed, grantedAt: at },
  });
}

/** The apps an account allowed, most recently used (or allowed) first. */
export async function listConsents(tx: Tx, userId: number): Promise<ConsentRecord[]> {
  const rows = await (await prisma(tx)).oAuthConsent.findMany({ where: { userId } });
  const last = (c: ConsentRecord) => (c.lastUsedAt ?? c.grantedAt).getTime();
  return rows.sort((a, b) => last(b) - last(a));
}

/** Forgets an app's consent; false when there was none. */
export async function deleteConsent(tx: Tx, userId: number, clientId: string): Promise<boolean> {
  return (await (await prisma(tx)).oAuthConsent.deleteMany({ where: { userId, clientId } })).count === 1;
}

/** Every account's consent to an app the service removed. */
export async function deleteConsentsOfClient(tx: Tx, clientId: string): Promise<number> {
  return (await (await prisma(tx)).oAuthConsent.deleteMany({ where: { clientId } })).count;
}

/** The app got tokens: its "last used", written at most once a minute. */
export async function touchConsent(tx: Tx, userId: number, clientId: string, at: Date = now()): Promise<void> {
  const minuteAgo = new Date(at.getTime() - 60_000);
  await execute(
    tx,
    sql`UPDATE "OAuthConsent" SET "lastUsedAt" = ${at}
        WHERE "userId" = ${userId} AND "clientId" = ${clientId} AND ("lastUsedAt" IS NULL OR "lastUsedAt" < ${minuteAgo})`,
  );
}
