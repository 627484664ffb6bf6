import { auditCsv, listAudit } from "@/lib/admin/audit";
import { csvDownload } from "@/lib/http/csv-download";
import { dailyStats } from "@/lib/admin/stats";
import {
  changeRole,
  deleteUser,
  disableUser,
  enableUser,
  listUsers,
  resendVerification,
  resetTwoFactor,
  revokeUserSession,
  sendPasswordReset,
  signOutUser,
  userDetail,
} from "@/lib/admin/users";
import type { Caller, ClientInfo } from "@/lib/auth/types";
import { BAD_REQUEST, endpoint, FORBIDDEN_NOT_ADMIN, RATE_LIMITED, REAUTHENTICATE, UNAUTHORIZED } from "../endpoint";
import { presentAdminUser, presentAdminUserDetail, presentAuditEvent, presentStats } from "../presenters";
import { AdminAuditQuery, AdminRoleRequest, AdminStatsQuery, AdminUsersQuery } from "../requests";

/**
 * The operator's console over HTTP (docs/admin.md): an admin's access token; reads need nothing
 * more, actions a fresh proof. The rules live in lib/admin; these are its doors.
 */

/** A user id in the path; anything else is no such user. */
const userIdParam = (raw: Record<string, string>) => (typeof raw.id === "string" && /^\d{1,9}$/.test(raw.id) ? { userId: Number(raw.id) } : null);

const NOT_FOUND = { status: 404, description: "Unknown user id" };
const READ_FAILURES = [UNAUTHORIZED, FORBIDDEN_NOT_ADMIN];
const ACTION_FAILURES = [UNAUTHORIZED, FORBIDDEN_NOT_ADMIN, REAUTHENTICATE, NOT_FOUND];

export const adminUsers = endpoint({
  method: "GET",
  path: "/auth/admin/users/",
  summary: "Admin: find accounts (search, filters, cursor pages, newest first)",
  auth: "access",
  query: AdminUsersQuery,
  async handle(query, ctx) {
    const page = await listUsers(ctx.caller, query);
    return { users: page.users.map(presentAdminUser), next_cursor: page.nextCursor };
  },
  success: { description: "`users`, `next_cursor` (null on the last page)" },
  failures: [BAD_REQUEST("errors.<parameter>: a value out of its choices, a cursor this service did not make"), ...READ_FAILURES],
});

export const adminUser = endpoint({
  method: "GET",
  path: "/auth/admin/users/{id}/",
  summary: "Admin: one account, its live sessions and its last 50 audit events",
  auth: "access",
  params: userIdParam,
  async handle(_input, ctx) {
    return presentAdminUserDetail(await userDetail(ctx.caller, ctx.params.userId));
  },
  success: { description: "`user`, `sessions`, `audit`" },
  failures: [...READ_FAILURES, NOT_FOUND],
});

type Action = (admin: Caller, userId: number, client: ClientInfo) => Promise<void>;

/** An action on one account: POST, no body, 200 with the bare envelope. */
function userAction(path: string, summary: string, act: Action, failures: Array<{ status: number; description: string }> = []) {
  return endpoint({
    method: "POST",
    path: `/auth/admin/users/{id}/${path}/`,
    summary,
    auth: "access",
    params: userIdParam,
    async handle(_input, ctx) {
      await act(ctx.caller, ctx.params.userId, ctx.client);
      return {};
    },
    success: { description: "Done" },
    failures: [...failures, ...ACTION_FAILURES],
  });
}

export const adminDisable = userAction("disable", "Admin: disable an account (no tokens from any door; its sessions end)", disableUser, [
  BAD_REQUEST("errors.errors: the last admin"),
]);
export const adminEnable = userAction("enable", "Admin: enable a disabled account", enableUser);
export const adminSignOut = userAction("sign-out", "Admin: end every session and refresh token of an account", signOutUser);
export const adminSendReset = userAction("send-reset", "Admin: e-mail the account a password reset link", sendPasswordReset, [
  BAD_REQUEST("errors.errors: the account is disabled"),
  RATE_LIMITED,
]);
export const adminResendVerification = userAction("resend-verification", "Admin: e-mail an unverified account a new verification code and link", resendVerification, [
  BAD_REQUEST("errors.errors: already verified, or disabled"),
  RATE_LIMITED,
]);
export const adminResetTwoFactor = userAction(
  "two-factor/reset",
  "Admin: remove the authenticator, recovery codes and passkeys (a lost phone); every session ends; the account is told",
  resetTwoFactor,
);

/** A user id and a session id in the path (a session's id is a UUID: anything else names none). */
const userSessionParams = (raw: Record<string, string>) => {
  const user = userIdParam(raw);
  return user && typeof raw.session_id === "string" && /^[0-9a-f-]{36}$/i.test(raw.session_id) ? { ...user, sessionId: raw.session_id } : null;
};

export const adminRevokeSession = endpoint({
  method: "DELETE",
  path: "/auth/admin/users/{id}/sessions/{session_id}/",
  summary: "Admin: end one session of an account (its refresh tokens and the apps' grants made in it); the account is told",
  auth: "access",
  params: userSessionParams,
  async handle(_input, ctx) {
    await revokeUserSession(ctx.caller, ctx.params.userId, ctx.params.sessionId, ctx.client);
    return {};
  },
  success: { description: "Ended" },
  failures: [UNAUTHORIZED, FORBIDDEN_NOT_ADMIN, REAUTHENTICATE, { status: 404, description: "Unknown user id, or no open session of that account by that id" }],
});

export const adminRole = endpoint({
  method: "PUT",
  path: "/auth/admin/users/{id}/role/",
  summary: "Admin: change an account's role (the last admin keeps theirs)",
  auth: "access",
  params: userIdParam,
  body: AdminRoleRequest,
  async handle({ roleid }, ctx) {
    await changeRole(ctx.caller, ctx.params.userId, roleid, ctx.client);
    return {};
  },
  success: { description: "Done" },
  failures: [BAD_REQUEST("errors.roleid: missing or unknown; errors.errors: the last admin"), ...ACTION_FAILURES],
});

export const adminDelete = endpoint({
  method: "DELETE",
  path: "/auth/admin/users/{id}/",
  summary: "Admin: delete an account as its owner would (erased; a last notice to its address)",
  auth: "access",
  params: userIdParam,
  async handle(_input, ctx) {
    await deleteUser(ctx.caller, ctx.params.userId, ctx.client);
    return {};
  },
  success: { description: "Deleted" },
  failures: [BAD_REQUEST("errors.errors: the last admin"), ...ACTION_FAILURES],
});

export const adminAudit = endpoint({
  method: "GET",
  path: "/auth/admin/audit/",
  summary: "Admin: the audit log (filters, cursor pages, newest first; `format=csv` streams every matching row)",
  auth: "access",
  query: AdminAuditQuery,
  async handle({ format, ...query }, ctx) {
    if (format === "csv") {
      // A refusal (403) is still a JSON answer, not a broken stream: csvDownload reads the first line first.
      return csvDownload(auditCsv(ctx.caller, query), "audit.csv");
    }
    const page = await listAudit(ctx.caller, query);
    return { events: page.events.map(presentAuditEvent), next_cursor: page.nextCursor };
  },
  success: { description: "`events`, `next_cursor`; with `format=csv`, text/csv" },
  failures: [BAD_REQUEST("errors.<parameter>: not an id, not an ISO 8601 time, a cursor this service did not make"), ...READ_FAILURES],
});

export const adminStats = endpoint({
  method: "GET",
  path: "/auth/admin/stats/",
  summary: "Admin: sign-ups, verified, logins, failed logins and 429s per UTC day, with totals",
  auth: "access",
  query: AdminStatsQuery,
  async handle({ days }, ctx) {
    return presentStats(await dailyStats(ctx.caller, days));
  },
  success: { description: "`days` (oldest first), `totals`" },
  failures: [BAD_REQUEST("errors.days"), ...READ_FAILURES],
});
