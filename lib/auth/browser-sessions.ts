import { recordAudit } from "@/lib/db/audit";
import { db } from "@/lib/db/client";
import { isFamilyActive, listActiveFamilies, revokeAllForUser, revokeFamily, touchFamily } from "@/lib/db/refresh-tokens";
import { endBrowserSessions, findUserById, type UserRecord } from "@/lib/db/users";
import { issueRefreshToken } from "@/lib/tokens/refresh";
import type { RequestMeta } from "./types";

/**
 * Browser sessions are refresh families of kind "browser": the session cookie names the family,
 * and every request checks that it is still live, so "sign out everywhere", a password reset or
 * a password change end a browser session on its next request rather than at cookie expiry.
 */
export async function createBrowserSession(user: UserRecord, meta: RequestMeta): Promise<string> {
  const { familyId } = await issueRefreshToken(db(), { userId: user.id, client: "browser", userAgent: meta.userAgent, ip: meta.ip });
  await recordAudit({ type: "browser_sign_in", userId: user.id, ip: meta.ip, userAgent: meta.userAgent });
  return familyId;
}

/** The user of a live session; null when the session was revoked or predates a password change. */
export async function resolveBrowserSession(userId: number, sessionId: string, issuedAt: Date): Promise<UserRecord | null> {
  const user = await findUserById(userId);
  if (!user || user.disabledAt || issuedAt < truncateToSecond(user.sessionsValidFrom)) return null;
  if (!(await isFamilyActive(userId, sessionId))) return null;
  await touchFamily(sessionId);
  return user;
}

// Cookie timestamps have whole seconds.
const truncateToSecond = (d: Date) => new Date(Math.floor(d.getTime() / 1000) * 1000);

export async function endSession(userId: number, sessionId: string): Promise<void> {
  await revokeFamily(userId, sessionId, "logout");
}

/** Signs out every session of the user, browser and API alike. */
export async function endAllSessions(userId: number, meta: RequestMeta): Promise<void> {
  await db().$transaction(async (tx) => {
    await revokeAllForUser(userId, "signout_everywhere", { tx });
    await endBrowserSessions(tx, userId);
  });
  await recordAudit({ type: "signout_everywhere", userId, ip: meta.ip, userAgent: meta.userAgent });
}

export async function endOneSession(userId: number, sessionId: string): Promise<boolean> {
  return revokeFamily(userId, sessionId, "session_revoked");
}

export { listActiveFamilies as listSessions };
