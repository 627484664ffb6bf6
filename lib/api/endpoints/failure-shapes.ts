import { presentLoginErrors } from "../presenters";

/** Failure shapes several endpoints share (lib/api/errors.ts reads them). */

/** VASITUM's failures always carry `tokens: {}`. */
export const NO_TOKENS = { tokens: {} };

export const GOOGLE_FAILURES = { failure: NO_TOKENS, errorFields: { EMAIL_TAKEN: "auth_token", GOOGLE_NOT_REGISTERED: "auth_token" } } as const;

/** The account centre's codes are `code` on the wire (the e-mailed one of the old APIs is `otp`). */
export const CODE_FIELD = { fieldNames: { code: "code" } } as const;
export const LOGIN_FAILURE = { failure: { is_verified: false, tokens: {} }, presentErrors: presentLoginErrors, ...CODE_FIELD } as const;
