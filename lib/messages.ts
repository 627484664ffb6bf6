/**
 * Every message the service words, in one map keyed by error code. The JSON API, the server
 * actions and the browser's form checks all read it, so this module imports nothing and may be
 * bundled for the browser. The strings the two original APIs used are kept exactly, typos
 * included (`register with us`, `Invaild`, `doesn't exists`); validation wording follows
 * Django REST framework's.
 */

export type Params = Record<string, string | number>;

export const MESSAGES = {
  // Field validation (Django REST framework's wording)
  REQUIRED: "This field is required.",
  NULL: "This field may not be null.",
  BLANK: "This field may not be blank.",
  NOT_A_STRING: "Not a valid string.",
  INVALID_EMAIL: "Enter a valid email address.",
  NOT_AN_INTEGER: "A valid integer is required.",
  DATE_FORMAT: "Date has wrong format. Use one of these formats instead: YYYY-MM-DD.",
  INVALID_DATE: "Enter a valid date.",
  DATETIME_FORMAT: "Datetime has wrong format. Use ISO 8601, e.g. 2026-12-05T10:00:00Z.",
  INVALID_MOBILE: "Enter a valid mobile number.",
  CODE_FORMAT: "Enter the code from the e-mail.",
  MAX_LENGTH: (p: Params) => `Ensure this field has no more than ${p.max} characters.`,
  NULL_CHARACTERS: "Null characters are not allowed.",
  INVALID_CHOICE: (p: Params) => `"${p.value}" is not a valid choice.`,
  READ_ONLY: "This field cannot be changed here.",
  PASSWORD_TOO_SHORT: (p: Params) =>
    `This password is too short. It must contain at least ${p.min} character${p.min === 1 ? "" : "s"}.`,
  PASSWORD_TOO_COMMON: "This password is too common.",
  PASSWORDS_DIFFER: "The two passwords do not match.",

  // Request plumbing
  MALFORMED_JSON: "JSON parse error - the request body is not valid JSON.",
  NOT_AN_OBJECT: (p: Params) => `Invalid data. Expected a dictionary, but got ${p.type}.`,
  JSON_SENT_AS_FORM: "The body is JSON but was sent as a form. Send it with the header Content-Type: application/json.",
  PAYLOAD_TOO_LARGE: (p: Params) => `Request body is larger than ${p.limit} bytes.`,
  UNSUPPORTED_MEDIA_TYPE: (p: Params) => `Unsupported media type "${p.type}" in request.`,
  NOT_FOUND: "Not found.",
  METHOD_NOT_ALLOWED: (p: Params) => `Method "${p.method}" not allowed.`,
  RATE_LIMITED: (p: Params) => `Too many requests. Try again in ${p.seconds} seconds.`,
  INTERNAL: "Internal server error",
  SERVICE_UNAVAILABLE: "Service temporarily unavailable",

  // Authentication and authorization
  NOT_AUTHENTICATED: "Authentication credentials were not provided.",
  ACCESS_TOKEN_INVALID: "Given token not valid for any token type",
  CLIENT_TOKEN_INVALID: "Invalid client token.",
  FORBIDDEN: "You do not have permission to perform this action.",
  ACCOUNT_DISABLED: "This account has been disabled.",
  REFRESH_INVALID: "Token is invalid or expired",

  // Accounts
  EMAIL_TAKEN: (p: Params) => `${p.email} is already register with us`,
  EMAIL_UNKNOWN: "E-mail doesn't exists",
  PASSWORD_MISMATCH: "Password mismatch",
  /** The login's `description`, and with AUTH_GENERIC_ERRORS its one answer to every failure. */
  LOGIN_FAILED: "Invaild Email / Password. Try again",
  NO_PASSWORD_YET: "This account has no password yet. Use the e-mailed reset link (forgot password) to set one.",
  CONFIRMATION_INVALID: "Confirmation link is invalid or has expired",
  RESET_TOKEN_INVALID: "Password reset link is invalid or has expired",
  OTP_INVALID: "Invalid OTP",
  OTP_EXPIRED: "OTP has expired",
  /** VASITUM's resend answers an address that has nothing to resend with the syntax message. */
  NOTHING_TO_RESEND: "Enter a valid email address.",
  GOOGLE_TOKEN_INVALID: "The Token is invalid or has expired",
  GOOGLE_NOT_REGISTERED: (p: Params) => `${p.email} is not register with us. Kindly share the verified email.`,

  // Account centre
  INVALID_CODE: "Invalid code",
  SIGN_IN_AGAIN: "Sign in again",
  TOTP_ALREADY_ON: "Two-factor authentication is already on.",
  TOTP_NOT_SET_UP: "Set up two-factor authentication first.",
  TOTP_NOT_ON: "Two-factor authentication is not on.",
  VERIFY_EMAIL_FIRST: "Confirm your e-mail address first.",
  PASSKEY_INVALID: "The passkey could not be verified. Please try again.",
  PASSKEY_EXISTS: "This passkey is already registered.",
  EMAIL_UNCHANGED: "This is already your e-mail address.",
  EMAIL_CHANGE_INVALID: "E-mail change link is invalid or has expired",
  EMAIL_NOT_YOURS: "Enter the e-mail address of this account.",
  REAUTHENTICATION_REQUIRED: "Confirm it's you first.",
  NO_PASSKEY: "This account has no passkey.",
  CODE_EXPIRED: "This code has expired. Ask for a new one.",
  // The OpenID provider's clients (the console's Apps page, lib/admin/clients.ts)
  REDIRECT_URI_INVALID: (p: Params) => `"${p.uri}" is not an absolute URI without a fragment.`,
  PUBLIC_CLIENT_CREDENTIALS: "A public client cannot use the client credentials grant.",
  CLIENT_REJECTED: (p: Params) => `The client was refused: ${p.reason}`,
  OIDC_PROVIDER_OFF: "The OpenID provider is off: set OIDC_RSA_PRIVATE_KEY.",

  // Operator's console
  LAST_ADMIN: "This is the last admin: make another admin first.",
  USER_DISABLED: "This account is disabled: enable it first.",
  ALREADY_VERIFIED: "This address is already confirmed.",
  SEARCH_TOO_SHORT: (p: Params) => `Type at least ${p.min} characters to search.`,
  // The browser forms' own checks of those codes, before anything is sent.
  TOTP_CODE_FORMAT: "Enter the 6-digit code from your authenticator app.",
  RECOVERY_CODE_FORMAT: "Enter one of your recovery codes.",
  SECOND_FACTOR_FORMAT: "Enter a code from your authenticator app, or a recovery code.",
} as const satisfies Record<string, string | ((p: Params) => string)>;

export type MessageCode = keyof typeof MESSAGES;

export function messageFor(code: MessageCode, params: Params = {}): string {
  const m: string | ((p: Params) => string) = MESSAGES[code];
  return typeof m === "function" ? m(params) : m;
}

/**
 * A message as a service or a schema says it: the API's wording (`message`) and what the pages
 * word for themselves in the reader's language (`code` and `params`, lib/i18n).
 */
export interface Said {
  code: MessageCode;
  params?: Params;
  message: string;
}

export const said = (code: MessageCode, params?: Params): Said => ({ code, ...(params ? { params } : {}), message: messageFor(code, params) });
