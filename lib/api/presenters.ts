import type { AuditEvent } from "@/lib/admin/audit";
import type { DailyStats, DayFigures } from "@/lib/admin/stats";
import type { UserDetail, UserSummary } from "@/lib/admin/users";
import type { Passkey } from "@/lib/auth/passkeys";
import type { AppSignIn } from "@/lib/auth/sign-in";
import type { Tokens, User } from "@/lib/auth/types";
import { config } from "@/lib/config/env";
import type { AppError } from "@/lib/errors";
import { messageFor } from "@/lib/messages";

/**
 * The legacy shapes of the two original APIs, in one place: the services speak the domain
 * (`accessToken`, `verifiedAt`), clients of the old backends read these names.
 */

export const presentTokens = (tokens: Tokens) => ({ access_token: tokens.accessToken, refresh: tokens.refreshToken });

/** A user as `GET /auth/{user_id}/` shows one. */
export function presentUser(user: User) {
  return {
    userid: user.id,
    email: user.email,
    name: user.name,
    dob: user.dob,
    mobile: user.mobile,
    roleid: user.roleId,
    is_verified: user.verifiedAt !== null,
  };
}

/**
 * The documented responses carried the e-mailed code as `otp`. Handing it to the client defeats
 * e-mail verification, so it is there only with AUTH_EXPOSE_OTP (for clients that verify locally).
 */
export const exposedOtp = (code: string | null | undefined) => (config().exposeOtp && code ? { otp: Number(code) } : {});

/** A first factor passed, the second is due: the token to send with the code to /auth/login/2fa/. */
export function presentSecondStep(result: { user: User; mfaToken: string }) {
  return {
    success: true,
    message: "mfa_required",
    is_verified: result.user.verifiedAt !== null,
    mfa_required: true,
    mfa_token: result.mfaToken,
    tokens: {},
    errors: {},
  };
}

/** The merged login's 200 body (also the second step's and a passkey sign-in's). */
export function presentLogin(result: AppSignIn & { code?: string | null }) {
  if (result.kind === "second-step") return presentSecondStep(result);
  const tokens = presentTokens(result.tokens);
  return {
    success: true,
    message: "login_success",
    is_verified: result.user.verifiedAt !== null,
    tokens,
    user: { email: result.user.email, token: tokens.access_token, userid: result.user.id },
    errors: {},
    ...exposedOtp(result.code),
  };
}

/** VASITUM's Google login: `tokens`, or the second step. */
export const presentGoogleLogin = (result: AppSignIn) =>
  result.kind === "second-step" ? presentSecondStep(result) : { tokens: presentTokens(result.tokens) };

/** LOGIN_FAILED: the service's one answer to both with AUTH_GENERIC_ERRORS (lib/auth/login.ts). */
const LOGIN_FAILURES = new Set(["EMAIL_UNKNOWN", "PASSWORD_MISMATCH", "LOGIN_FAILED"]);

/** A failed login carries the documents' `description`. */
export function presentLoginErrors(error: AppError, errors: Record<string, unknown>): Record<string, unknown> {
  return LOGIN_FAILURES.has(error.code) ? { ...errors, description: messageFor("LOGIN_FAILED") } : errors;
}

/** A passkey as its owner sees it in the API. */
export const presentPasskey = (p: Passkey) => ({
  id: p.id,
  name: p.name,
  created_at: p.createdAt.toISOString(),
  last_used_at: p.lastUsedAt?.toISOString() ?? null,
  backed_up: p.backedUp,
});

// ---- Operator's console

/** An account as the admin API lists it. */
export const presentAdminUser = (u: UserSummary) => ({
  userid: u.id,
  email: u.email,
  name: u.name,
  roleid: u.roleId,
  role: u.role,
  is_verified: u.verified,
  disabled: u.disabled,
  two_factor: u.twoFactor,
  passkeys: u.passkeys,
  google: u.google,
  created_at: u.createdAt.toISOString(),
  last_login_at: u.lastLoginAt?.toISOString() ?? null,
});

export const presentAdminUserDetail = (detail: UserDetail) => ({
  user: { ...presentAdminUser(detail.user), dob: detail.user.dob, mobile: detail.user.mobile, locale: detail.user.locale },
  sessions: detail.sessions.map((s) => ({
    id: s.id,
    kind: s.kind,
    created_at: s.createdAt.toISOString(),
    last_used_at: s.lastUsedAt.toISOString(),
    ip: s.ip,
    user_agent: s.userAgent,
    methods: s.methods.split(",").filter(Boolean),
  })),
  audit: detail.audit.map(presentAuditEvent),
});

export const presentAuditEvent = (e: AuditEvent) => ({
  id: e.id,
  at: e.at.toISOString(),
  type: e.type,
  userid: e.userId,
  actor: e.actorId,
  ip: e.ip,
  user_agent: e.userAgent,
  details: e.details,
});

const presentFigures = (f: DayFigures) => ({
  signups: f.signups,
  verified: f.verified,
  logins: f.logins,
  failed_logins: f.failedLogins,
  rate_limited: f.rateLimited,
});

export const presentStats = (stats: DailyStats) => ({
  days: stats.days.map((d) => ({ date: d.date, ...presentFigures(d) })),
  totals: { ...presentFigures(stats.totals), users: stats.totals.users },
});
