import { now } from "@/lib/clock";
import { prisma, type Tx } from "./sql";

/**
 * oidc-provider's models (ADR 015), one row per (model, id): the payload is the provider's JSON as
 * it handed it over (lib/oauth/adapter.ts turns it into rows and back). Only what the provider looks
 * up by is a column of its own: the grant (to revoke everything issued under one), the interaction's
 * session uid, a device flow's user code.
 */
export interface OAuthRow {
  model: string;
  id: string;
  payload: string;
  grantId: string | null;
  userCode: string | null;
  uid: string | null;
  consumedAt: Date | null;
  expiresAt: Date | null;
}

export type OAuthRowInput = Omit<OAuthRow, "consumedAt">;

const LIVE = () => ({ OR: [{ expiresAt: null }, { expiresAt: { gt: now() } }] });

export async function upsertOAuthRow(tx: Tx, row: OAuthRowInput): Promise<void> {
  const { model, id, ...rest } = row;
  await (await prisma(tx)).oAuthModel.upsert({
    where: { model_id: { model, id } },
    create: { model, id, ...rest, createdAt: now() },
    update: { ...rest, consumedAt: null },
  });
}

/** A row that has not expired, or null. */
export async function findOAuthRow(tx: Tx, model: string, id: string): Promise<OAuthRow | null> {
  return (await prisma(tx)).oAuthModel.findFirst({ where: { model, id, ...LIVE() } });
}

export async function findOAuthRowBy(tx: Tx, model: string, by: { uid: string } | { userCode: string }): Promise<OAuthRow | null> {
  return (await prisma(tx)).oAuthModel.findFirst({ where: { model, ...by, ...LIVE() } });
}

export async function consumeOAuthRow(tx: Tx, model: string, id: string): Promise<void> {
  await (await prisma(tx)).oAuthModel.updateMany({ where: { model, id, consumedAt: null }, data: { consumedAt: now() } });
}

export async function deleteOAuthRow(tx: Tx, model: string, id: string): Promise<void> {
  await (await prisma(tx)).oAuthModel.deleteMany({ where: { model, id } });
}

/** Every row issued under one grant, whatever its model: a revoked grant takes its codes and tokens with it. */
export async function deleteOAuthRowsOfGrant(tx: Tx, grantId: string): Promise<void> {
  await (await prisma(tx)).oAuthModel.deleteMany({ where: { grantId } });
}

/** The rows of one model that do not expire (the registered clients), oldest first. */
export async function listOAuthRows(tx: Tx, model: string): Promise<OAuthRow[]> {
  return (await prisma(tx)).oAuthModel.findMany({ where: { model }, orderBy: { createdAt: "asc" } });
}

/** Housekeeping: deletes up to `limit` rows that expired before `cutoff`. */
export async function deleteExpiredOAuthRows(tx: Tx, cutoff: Date, limit: number): Promise<number> {
  const client = await prisma(tx);
  const old = await client.oAuthModel.findMany({ where: { expiresAt: { lt: cutoff } }, select: { model: true, id: true }, take: limit });
  if (old.length === 0) return 0;
  return (await client.oAuthModel.deleteMany({ where: { OR: old.map(({ model, id }) => ({ model, id })) } })).count;
}
