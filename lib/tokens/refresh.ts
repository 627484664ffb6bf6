import { now, secondsFromNow } from "@/lib/clock";
import { config } from "@/lib/config/env";
import type { Db, Tx } from "@/lib/db/client";
import {
  createFamily,
  revokeFamilyByToken,
  rotate,
  type RefreshClient,
} from "@/lib/db/refresh-tokens";
import { AppError } from "@/lib/errors";
import { log } from "@/lib/log";
import { randomToken, sha256Hex } from "./hash";

/**
 * Refresh tokens: opaque random strings handed to the client once and stored only as a hash. Each
 * use returns a successor (rotation); presenting a spent token revokes its whole family.
 */

export interface IssuedRefreshToken {
  token: string;
  familyId: string;
  expiresAt: Date;
}

export interface RotatedRefreshToken extends IssuedRefreshToken {
  userId: number;
}

// 32 random bytes as base64url (see randomToken): anything else was not issued by us, so it is
// refused without a database round trip.
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/** A fresh token in a new family: one per sign-in. Pass the transaction that creates the session's user or login. */
export async function issueRefreshToken(
  tx: Db | Tx,
  input: { userId: number; client: RefreshClient; userAgent?: string | null; ip?: string | null },
): Promise<IssuedRefreshToken> {
  const token = randomToken();
  const expiresAt = refreshExpiry();
  const familyId = await createFamily(tx, {
    userId: input.userId,
    client: input.client,
    userAgent: input.userAgent ?? null,
    ip: input.ip ?? null,
    tokenHash: sha256Hex(token),
    expiresAt,
  });
  return { token, familyId, expiresAt };
}

/**
 * Exchanges a refresh token for its successor. Throws REFRESH_INVALID (401, field `refresh`) for an
 * unknown, expired, revoked or already-used token; the last also revokes the token's family.
 */
export async function rotateRefreshToken(token: string): Promise<RotatedRefreshToken> {
  if (!isWellFormed(token)) throw refreshInvalid();
  const successor = randomToken();
  const expiresAt = refreshExpiry();
  const result = await rotate(sha256Hex(token), { newTokenHash: sha256Hex(successor), newExpiresAt: expiresAt });
  if (result.kind === "rotated") {
    return { token: successor, userId: result.userId, familyId: result.familyId, expiresAt };
  }
  if (result.kind === "reused") {
    // Either a stolen token was replayed or a client refreshed twice with one token; both end the session.
    log.warn("refresh token reuse: family revoked", { userId: result.userId, familyId: result.familyId });
  }
  throw refreshInvalid();
}

/**
 * Logout: revokes the token's family and says whose it was (for the audit log). Unknown or malformed
 * tokens give null and no error, so logout is idempotent.
 */
export async function revokeRefreshToken(token: string): Promise<{ userId: number; familyId: string } | null> {
  if (!isWellFormed(token)) return null;
  return revokeFamilyByToken(sha256Hex(token), "logout");
}

function isWellFormed(token: unknown): token is string {
  return typeof token === "string" && TOKEN_SHAPE.test(token);
}

// Sliding: each rotation grants a full lifetime from now, so an active session never lapses.
function refreshExpiry(): Date {
  return secondsFromNow(config().refreshTokenTtlSeconds, now());
}

function refreshInvalid(): AppError {
  return new AppError("REFRESH_INVALID", { field: "refresh" });
}
