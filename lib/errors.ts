/**
 * The one map of error codes. Services throw `AppError`s naming a code; the HTTP layer turns them
 * into the contract's envelope (lib/http/envelope.ts) and the server actions into form state.
 * Message strings are part of the API contract (../shared/API.md), typos included.
 */

type Params = Record<string, string | number>;
type Message = string | ((p: Params) => string);

export const ERRORS = {
  // Validation (Django REST framework wording)
  REQUIRED: { status: 400, message: "This field is required." },
  BLANK: { status: 400, message: "This field may not be blank." },
  INVALID_EMAIL: { status: 400, message: "Enter a valid email address." },
  INVALID: { status: 400, message: "Invalid value." },
  INVALID_CHOICE: { status: 400, message: (p) => `"${p.value}" is not a valid choice.` },
  READ_ONLY: { status: 400, message: "This field cannot be changed here." },

  // Request plumbing
  MALFORMED_JSON: { status: 400, message: "JSON parse error - the request body is not valid JSON." },
  NOT_AN_OBJECT: { status: 400, message: (p) => `Invalid data. Expected a dictionary, but got ${p.type}.` },
  PAYLOAD_TOO_LARGE: { status: 413, message: (p) => `Request body is larger than ${p.limit} bytes.` },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: (p) => `Unsupported media type "${p.type}" in request.` },
  NOT_FOUND: { status: 404, message: "Not found." },
  METHOD_NOT_ALLOWED: { status: 405, message: (p) => `Method "${p.method}" not allowed.` },
  RATE_LIMITED: { status: 429, message: (p) => `Too many requests. Try again in ${p.seconds} seconds.` },
  INTERNAL: { status: 500, message: "Internal server error" },
  SERVICE_UNAVAILABLE: { status: 503, message: "Service unavailable" },

  // Authentication and authorization
  NOT_AUTHENTICATED: { status: 401, message: "Authentication credentials were not provided." },
  ACCESS_TOKEN_INVALID: { status: 401, message: "Given token not valid for any token type" },
  CLIENT_TOKEN_INVALID: { status: 401, message: "Invalid client token." },
  FORBIDDEN: { status: 403, message: "You do not have permission to perform this action." },
  ACCOUNT_DISABLED: { status: 403, message: "This account has been disabled." },
  REFRESH_INVALID: { status: 401, message: "Token is invalid or expired" },

  // Accounts (the two original documents' strings)
  EMAIL_TAKEN: { status: 400, message: (p) => `${p.email} is already register with us` },
  EMAIL_UNKNOWN: { status: 400, message: "E-mail doesn't exists" },
  /** AUTH_GENERIC_ERRORS: one answer for an unknown e-mail and a wrong password. */
  LOGIN_FAILED: { status: 400, message: "Invaild Email / Password. Try again" },
  PASSWORD_MISMATCH: { status: 400, message: "Password mismatch" },
  ROLE_NOT_ALLOWED: { status: 400, message: (p) => `"${p.value}" is not a valid choice.` },
  CONFIRMATION_INVALID: { status: 400, message: "Confirmation link is invalid or has expired" },
  RESET_TOKEN_INVALID: { status: 400, message: "Password reset link is invalid or has expired" },
  OTP_INVALID: { status: 400, message: "Invalid OTP" },
  OTP_EXPIRED: { status: 400, message: "OTP has expired" },
  RESEND_NOT_ALLOWED: { status: 400, message: "Enter a valid email address." },
  PASSWORD_TOO_COMMON: { status: 400, message: "This password is too common." },
  GOOGLE_TOKEN_INVALID: { status: 400, message: "The Token is invalid or has expired" },
  GOOGLE_NOT_REGISTERED: {
    status: 400,
    message: (p) => `${p.email} is not register with us. Kindly share the verified email.`,
  },
} as const satisfies Record<string, { status: number; message: Message }>;

export type ErrorCode = keyof typeof ERRORS;

/** The field an error belongs to; `errors` is the contract's bucket for errors tied to no field. */
export type ErrorField = string;

export interface AppErrorOptions {
  field?: ErrorField;
  params?: Params;
  /** Extra top-level body members some endpoints carry on failure (`tokens: {}`, `is_verified`). */
  extra?: Record<string, unknown>;
  /** Extra members of `errors` that are not field lists (the login's `description` string). */
  errorsExtra?: Record<string, unknown>;
  headers?: Record<string, string>;
  /** Further errors reported together with the first (several invalid fields). */
  more?: Array<{ field: ErrorField; code: ErrorCode; params?: Params }>;
  cause?: unknown;
}

export function messageFor(code: ErrorCode, params: Params = {}): string {
  const m: Message = ERRORS[code].message;
  return typeof m === "function" ? m(params) : m;
}

export class AppError extends Error {
  override name = "AppError";
  readonly code: ErrorCode;
  readonly status: number;
  readonly field: ErrorField;
  readonly fieldErrors: Record<string, string[]>;
  readonly extra: Record<string, unknown>;
  readonly errorsExtra: Record<string, unknown>;
  readonly headers: Record<string, string>;

  constructor(code: ErrorCode, options: AppErrorOptions = {}) {
    const message = messageFor(code, options.params);
    super(message, { cause: options.cause });
    this.code = code;
    this.status = ERRORS[code].status;
    this.field = options.field ?? "errors";
    this.extra = options.extra ?? {};
    this.errorsExtra = options.errorsExtra ?? {};
    this.headers = options.headers ?? {};
    const fieldErrors: Record<string, string[]> = { [this.field]: [message] };
    for (const m of options.more ?? []) (fieldErrors[m.field] ??= []).push(messageFor(m.code, m.params));
    this.fieldErrors = fieldErrors;
  }
}

/** Several field errors at once, as a validation failure reports them. */
export class FieldErrors extends AppError {
  constructor(errors: Record<string, string[]>) {
    super("INVALID");
    (this as { fieldErrors: Record<string, string[]> }).fieldErrors = errors;
  }
}

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;
