import { randomUUID } from "node:crypto";
import { now } from "@/lib/clock";
import { db, type Db, type Tx } from "./client";

/**
 * Refresh-token families. A family is one sign-in ("session"); each refresh replaces its live token
 * with a successor. Tokens are stored only as SHA-256 hex (the callers hash); nothing here ever
 * sees a token itself.
 */

export type RefreshClient = "api" | "browser";

/** Why a family ended; kept on the row for the audit trail and support. */
export type RevokeReason =
  | "logout"
  | "reuse"
  | "password_change"
  | "password_reset"
  | "session_revoked"
  | "signout_everywhere"
  | "account_disabled"
  // An unverified password account was claimed by a verified Google identity.
  | "account_linked";

export interface NewFamily {
  userId: number;
  client: RefreshClient;
  userAgent: string | null;
  ip: string | null;
  tokenHash: string;
  expiresAt: Date;
}

export type RotateResult =
  | { kind: "rotated"; userId: number; familyId: string }
  | { kind: "reused"; userId: number; familyId: string }
  | { kind: "invalid" };

export interface ActiveFamily {
  id: string;
  client: RefreshClient;
  userAgent: string | null;
  ip: string | null;
  createdAt: Date;
  lastUsedAt: Date;
}

// The header is client-controlled; a session list needs no more than this.
const MAX_USER_AGENT_LENGTH = 512;
const INVALID = { kind: "invalid" } as const;

/** Starts a family with its first token. Takes a transaction so sign-up/login can commit it with the user. */
export async function createFamily(tx: Db | Tx, input: NewFamily): Promise<string> {
  const id = randomUUID();
  const at = now();
  await tx.refreshFamily.create({
    data: {
      id,
      userId: input.userId,
      client: input.client,
      userAgent: input.userAgent?.slice(0, MAX_USER_AGENT_LENGTH) ?? null,
      ip: input.ip,
      createdAt: at,
      lastUsedAt: at,
      tokens: { create: { tokenHash: input.tokenHash, expiresAt: input.expiresAt, createdAt: at } },
    },
  });
  return id;
}

/**
 * Exchanges the token with hash `tokenHash` for its successor, in one transaction.
 *
 * Exactly one caller can win a token: the claim is a single UPDATE guarded by `rotatedAt IS NULL`,
 * which PostgreSQL re-checks after waiting for a concurrent claimer's row lock (and which SQLite
 * runs serialised). Every loser — and anyone presenting the token later — is treated as a replay of
 * a stolen token: the whole family is revoked, including the winner's fresh successor. That is the
 * contract's reuse detection; a client that fires two refreshes at once therefore signs itself out.
 */
export async function rotate(
  tokenHash: string,
  next: { newTokenHash: string; newExpiresAt: Date },
): Promise<RotateResult> {
  return db().$transaction(async (tx) => {
    const at = now();
    const token = await findWithFamily(tx, tokenHash);
    if (!token) return INVALID;
    const owner = { userId: token.family.userId, familyId: token.familyId };
    if (token.rotatedAt) return reuseDetected(tx, owner, at);
    if (token.expiresAt <= at || token.family.revokedAt || token.family.user.disabledAt) return INVALID;

    if (!(await claim(tx, tokenHash, at))) return reuseDetected(tx, owner, at);
    await tx.refreshToken.create({
      data: { familyId: token.familyId, tokenHash: next.newTokenHash, expiresAt: next.newExpiresAt, createdAt: at },
    });
    await tx.refreshFamily.update({ where: { id: token.familyId }, data: { lastUsedAt: at } });
    return { kind: "rotated", ...owner };
  });
}

function findWithFamily(tx: Tx, tokenHash: string) {
  return tx.refreshToken.findUnique({
    where: { tokenHash },
    select: {
      familyId: true,
      expiresAt: true,
      rotatedAt: true,
      family: { select: { userId: true, revokedAt: true, user: { select: { disabledAt: true } } } },
    },
  });
}

/** Marks the token rotated; false when a concurrent request got there first. */
async function claim(tx: Tx, tokenHash: string, at: Date): Promise<boolean> {
  // One UPDATE whose WHERE holds the guard: PostgreSQL re-evaluates it on the locked row, so a
  // claimer that waited on a winner's lock sees rotatedAt set and matches nothing. The family's
  // state was read above in this transaction; this row's rotatedAt is the only thing raced for.
  const { count } = await tx.refreshToken.updateMany({
    where: { tokenHash, rotatedAt: null, expiresAt: { gt: at } },
    data: { rotatedAt: at },
  });
  return count === 1;
}

async function reuseDetected(
  tx: Tx,
  owner: { userId: number; familyId: string },
  at: Date,
): Promise<RotateResult> {
  await markRevoked(tx, { id: owner.familyId }, "reuse", at);
  return { kind: "reused", ...owner };
}

/** Revokes families matching `where` that are still live; an earlier revocation keeps its reason. */
async function markRevoked(
  tx: Db | Tx,
  where: { id?: string | { not: string }; userId?: number },
  reason: RevokeReason,
  at: Date = now(),
): Promise<number> {
  const { count } = await tx.refreshFamily.updateMany({
    where: { ...where, revokedAt: null },
    data: { revokedAt: at, revokeReason: reason },
  });
  return count;
}

/** Logout: ends the family the token belongs to (rotated or not). Null for an unknown token. */
export async function revokeFamilyByToken(
  tokenHash: string,
  reason: RevokeReason,
): Promise<{ familyId: string; userId: number } | null> {
  const token = await db().refreshToken.findUnique({
    where: { tokenHash },
    select: { familyId: true, family: { select: { userId: true } } },
  });
  if (!token) return null;
  await markRevoked(db(), { id: token.familyId }, reason);
  return { familyId: token.familyId, userId: token.family.userId };
}

/**
 * Ends every live family of the user (password reset, sign out everywhere), or every one but the
 * caller's own (password change). Pass `tx` to commit it with the change that requires it.
 * Returns how many families were revoked.
 */
export async function revokeAllForUser(
  userId: number,
  reason: RevokeReason,
  options: { exceptFamilyId?: string; tx?: Db | Tx } = {},
): Promise<number> {
  const { exceptFamilyId, tx = db() } = options;
  return markRevoked(tx, { userId, ...(exceptFamilyId ? { id: { not: exceptFamilyId } } : {}) }, reason);
}

/** Ends one of the user's own sessions; false when it is not theirs, unknown or already ended. */
export async function revokeFamily(userId: number, familyId: string, reason: RevokeReason): Promise<boolean> {
  return (await markRevoked(db(), { id: familyId, userId }, reason)) === 1;
}

/** The user's sessions that can still refresh, most recently used first. */
export async function listActiveFamilies(userId: number): Promise<ActiveFamily[]> {
  const families = await db().refreshFamily.findMany({
    where: { userId, revokedAt: null, tokens: { some: { rotatedAt: null, expiresAt: { gt: now() } } } },
    select: { id: true, client: true, userAgent: true, ip: true, createdAt: true, lastUsedAt: true },
    orderBy: [{ lastUsedAt: "desc" }, { createdAt: "desc" }],
  });
  return families.map((f) => ({ ...f, client: f.client === "browser" ? "browser" : "api" }));
}

/**
 * Whether a session (family) is still live: not revoked and holding an unexpired current token.
 * Browser sessions are checked on every request, so a revocation ends them at once.
 */
export async function isFamilyActive(userId: number, familyId: string): Promise<boolean> {
  const count = await db().refreshFamily.count({
    where: { id: familyId, userId, revokedAt: null, tokens: { some: { rotatedAt: null, expiresAt: { gt: now() } } } },
  });
  return count === 1;
}

/** Marks a session as used; called at most once a minute per session. */
export async function touchFamily(familyId: string): Promise<void> {
  await db().refreshFamily.updateMany({ where: { id: familyId, lastUsedAt: { lt: new Date(now().getTime() - 60_000) } }, data: { lastUsedAt: now() } });
}
