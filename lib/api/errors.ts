import { AppError, type ErrorCode } from "@/lib/errors";
import { isDatabaseUnavailable } from "@/lib/db/errors";
import { json } from "@/lib/http/json";
import { log } from "@/lib/log";

/**
 * How a service error reaches an API client: the status of its code, its issues under the wire's
 * field names, and the envelope `{ success: false, errors: { <field>: [messages] } }` (errors tied
 * to no field under `errors.errors`). No stack trace or internal message ever leaves.
 */

const STATUS: Partial<Record<ErrorCode | "VALIDATION", number>> = {
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  SERVICE_UNAVAILABLE: 503,
  NOT_AUTHENTICATED: 401,
  ACCESS_TOKEN_INVALID: 401,
  CLIENT_TOKEN_INVALID: 401,
  REFRESH_INVALID: 401,
  FORBIDDEN: 403,
  ACCOUNT_DISABLED: 403,
  REAUTHENTICATION_REQUIRED: 403,
  VERIFY_EMAIL_FIRST: 403,
};

export const statusOf = (error: AppError) => STATUS[error.code] ?? 400;

/** The domain's field names (those of the browser forms) as the two original APIs spell them. */
const WIRE_FIELDS: Record<string, string> = {
  code: "otp",
  currentPassword: "old_password",
  newPassword: "new_password",
  roleId: "roleid",
  newEmail: "new_email",
  mfaToken: "mfa_token",
  recoveryCode: "recovery_code",
  idToken: "auth_token",
  refreshToken: "refresh",
  search: "q",
};

/** What an endpoint declares about its failures (see lib/api/endpoint.ts). */
export interface FailureShape {
  /** Members every failure body of the endpoint carries (VASITUM's `tokens: {}`, `otp: 0`). */
  failure?: Record<string, unknown>;
  /** Codes this endpoint reports under another field than the usual (a taken e-mail under `errors`). */
  errorFields?: Partial<Record<ErrorCode, string>>;
  /** Field names this endpoint spells otherwise than the usual map (the account centre's `code` is no `otp`). */
  fieldNames?: Record<string, string>;
  /** Last word on the `errors` object (the login's `description`). */
  presentErrors?: (error: AppError, errors: Record<string, unknown>) => Record<string, unknown>;
}

export function wireErrors(error: AppError, shape: FailureShape = {}): Record<string, unknown> {
  const errors: Record<string, string[]> = {};
  const moved = error.code === "VALIDATION" ? undefined : shape.errorFields?.[error.code];
  for (const issue of error.issues) {
    const field = moved ?? (issue.field === null ? "errors" : (shape.fieldNames?.[issue.field] ?? WIRE_FIELDS[issue.field] ?? issue.field));
    const list = (errors[field] ??= []);
    if (!list.includes(issue.message)) list.push(issue.message);
  }
  return shape.presentErrors ? shape.presentErrors(error, errors) : errors;
}

/** Members the failure body of a code carries on every endpoint: a client learns to confirm it's the user, then try again. */
const MEMBERS_OF: Partial<Record<ErrorCode, Record<string, unknown>>> = {
  REAUTHENTICATION_REQUIRED: { reauthentication_required: true },
};

export function errorResponse(error: AppError, shape: FailureShape = {}, headers: Record<string, string> = {}): Response {
  const retry: Record<string, string> = error.retryAfterSeconds !== undefined ? { "retry-after": String(error.retryAfterSeconds) } : {};
  const members = error.code === "VALIDATION" ? undefined : MEMBERS_OF[error.code];
  return json(
    { success: false, errors: wireErrors(error, shape), ...shape.failure, ...members },
    { status: statusOf(error), headers: { ...retry, ...headers } },
  );
}

/** Seconds a client is asked to wait while the database is unreachable. */
const OUTAGE_RETRY_SECONDS = 5;

/**
 * A database that does not answer is an outage, not a bug: 503 with Retry-After, and the service
 * recovers by itself. Anything else is a fault of ours: logged with the request id, a bare 500.
 */
export function unexpectedErrorResponse(error: unknown, context: { requestId: string; path: string }, shape: FailureShape = {}): Response {
  if (error instanceof AppError) return errorResponse(error, shape);
  if (isDatabaseUnavailable(error)) {
    log.warn("database unavailable", { ...context, error: (error as Error).message?.split("\n").filter(Boolean).pop() });
    return errorResponse(new AppError("SERVICE_UNAVAILABLE", { retryAfterSeconds: OUTAGE_RETRY_SECONDS }), shape);
  }
  log.error("unhandled error", { ...context, error });
  return errorResponse(new AppError("INTERNAL"), shape);
}
