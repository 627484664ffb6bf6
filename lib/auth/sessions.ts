import { type Db, type Tx, db } from "@/lib/db/client";
import { findUserById, type UserRecord } from "@/lib/db/users";
import { recordAudit } from "@/lib/db/audit";
import { AppError } from "@/lib/errors";
import { issueAccessToken } from "@/lib/tokens/access";
import { issueRefreshToken, revokeRefreshToken, rotateRefreshToken } from "@/lib/tokens/refresh";
import { limitClient } from "@/lib/rate-limit";
import type { RequestMeta, TokenPair } from "./types";

export type SessionClient = "api" | "browser";

/** An access token and a refresh token that starts a new refresh family (one "session"). */
export async function issueTokens(
  user: UserRecord,
  meta: RequestMeta,
  client: SessionClient = "api",
  tx: Db | Tx = db(),
): Promise<TokenPair & { familyId: string }> {
  const refresh = await issueRefreshToken(tx, { userId: user.id, client, userAgent: meta.userAgent, ip: meta.ip });
  const access = await issueAccessToken(accessClaimsOf(user), { sessionId: refresh.familyId });
  return { access_token: access.token, refresh: refresh.token, familyId: refresh.familyId };
}

export function accessClaimsOf(user: UserRecord) {
  return { id: user.id, email: user.email, verified: user.verifiedAt !== null, role: user.roleName };
}

/** Exchanges a refresh token for a new pair; a reused token has already revoked its family. */
export async function refreshTokens(refreshToken: string, meta: RequestMeta): Promise<TokenPair> {
  await limitClient("refresh", meta.ip);
  const rotated = await rotateRefreshToken(refreshToken);
  const user = await findUserById(rotated.userId);
  if (!user || user.disabledAt) throw new AppError("REFRESH_INVALID", { field: "refresh" });
  const access = await issueAccessToken(accessClaimsOf(user), { sessionId: rotated.familyId });
  return { access_token: access.token, refresh: rotated.token };
}

/** Ends the session a refresh token belongs to. Unknown tokens are fine: logout is idempotent. */
export async function logout(refreshToken: string, meta: RequestMeta): Promise<void> {
  const revoked = await revokeRefreshToken(refreshToken);
  if (revoked) await recordAudit({ type: "logout", userId: revoked.userId, ip: meta.ip, userAgent: meta.userAgent });
}
