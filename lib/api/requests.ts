import { z } from "zod";
import { MESSAGES, messageFor } from "@/lib/messages";
import {
  AuthCodeSchema,
  complaint,
  DobSchema,
  EmailSchema,
  IntegerSchema,
  integerChoice,
  MobileSchema,
  NameSchema,
  otpSchema,
  PasskeyNameSchema,
  PresentedPasswordSchema,
  REAUTHENTICATION_CODE_LENGTH,
} from "@/lib/validation/fields";
import { USER_SORTS } from "@/lib/validation/forms";

/**
 * The body of every JSON endpoint under the wire's field names, composed from the shared field
 * schemas. The same objects validate requests and describe them in /auth/openapi.json. Password
 * *policy* (length, common passwords) is checked by the services, so one place words it.
 */

/**
 * A token field (refresh, auth_token). Its length is no field error: as with simplejwt's CharField,
 * an over-long value is just a token we never issued, answered as any invalid token is (the body
 * limit bounds it).
 */
const TokenSchema = z
  .unknown()
  .pipe(
    z
      .string({ error: (i) => (i.input === undefined ? MESSAGES.REQUIRED : i.input === null ? MESSAGES.NULL : MESSAGES.NOT_A_STRING) })
      .min(1, MESSAGES.BLANK),
  )
  .meta({ type: "string" });

export const SignUpRequest = z.object({
  name: NameSchema,
  dob: DobSchema,
  email: EmailSchema,
  password: PresentedPasswordSchema,
  mobile: MobileSchema,
  roleid: z.optional(IntegerSchema),
});

export const RegisterRequest = z.object({ email: EmailSchema, password: PresentedPasswordSchema });
export const LoginRequest = z.object({ email: EmailSchema, password: PresentedPasswordSchema });
export const GoogleTokenRequest = z.object({ auth_token: TokenSchema });
export const EmailOnlyRequest = z.object({ email: EmailSchema });
export const verifyOtpRequest = (otpLength: number) => z.object({ email: EmailSchema, otp: otpSchema(otpLength) });
export const GenerateLinkRequest = z.object({ email: EmailSchema, request_type: integerChoice([1, 3] as const) });
export const ResetPasswordRequest = z.object({ password: PresentedPasswordSchema });
export const RefreshRequest = z.object({ refresh: TokenSchema });
export const ChangePasswordRequest = z.object({
  old_password: PresentedPasswordSchema,
  new_password: PresentedPasswordSchema,
});

/** Fields a client may change on `PUT /auth/{user_id}/`; the rest of the user is read-only there. */
export const UpdateUserRequest = z.object({
  name: z.optional(NameSchema),
  mobile: z.optional(MobileSchema),
  dob: z.optional(DobSchema),
});
export const READ_ONLY_USER_FIELDS = ["email", "password", "roleid", "userid", "is_verified"] as const;

export type SignUpInput = z.output<typeof SignUpRequest>;

// ---- Account centre

export const CodeRequest = z.object({ code: AuthCodeSchema });

/** The second step of a sign-in: the token of the first, and an authenticator code or a recovery code. */
export const SecondStepRequest = z
  .object({ mfa_token: TokenSchema, code: z.optional(AuthCodeSchema), recovery_code: z.optional(AuthCodeSchema) })
  .superRefine((v, ctx) => {
    if (v.code === undefined && v.recovery_code === undefined) ctx.addIssue({ code: "custom", path: ["code"], message: MESSAGES.REQUIRED });
  });

/** A WebAuthn response as the browser's SimpleWebAuthn produces it; its contents are checked by the verifier. */
const WebAuthnResponseSchema = z
  .unknown()
  .superRefine((v, ctx) => {
    if (v === undefined) ctx.addIssue({ code: "custom", message: MESSAGES.REQUIRED });
    else if (v === null || typeof v !== "object" || Array.isArray(v)) ctx.addIssue({ code: "custom", message: MESSAGES.PASSKEY_INVALID });
  })
  .meta({ type: "object", description: "The JSON of a PublicKeyCredential (@simplewebauthn/browser)" });

export const AddPasskeyRequest = z.object({ response: WebAuthnResponseSchema, name: z.optional(PasskeyNameSchema) });
export const PasskeyLoginRequest = z.object({ response: WebAuthnResponseSchema });

/**
 * A fresh proof: the factors the account has (password, or the e-mailed `otp`; `code` for
 * two-factor), or a passkey's `response`. An empty body asks for the e-mailed code.
 */
export const ReauthenticateRequest = z.object({
  password: z.optional(PresentedPasswordSchema),
  code: z.optional(AuthCodeSchema),
  otp: z.optional(otpSchema(REAUTHENTICATION_CODE_LENGTH)),
  response: z.optional(WebAuthnResponseSchema),
});

export const ChangeEmailRequest = z.object({ new_email: EmailSchema, password: z.optional(PresentedPasswordSchema) });
export const DeleteAccountRequest = z.object({ password: z.optional(PresentedPasswordSchema), email: z.optional(EmailSchema) });

// ---- Operator's console (query strings: every value arrives as a string)

/** One of `choices`, as a query parameter spells it. */
function stringChoice<const T extends readonly string[]>(choices: T) {
  return z
    .unknown()
    .transform((v, ctx): T[number] => {
      if (typeof v === "string" && (choices as readonly string[]).includes(v)) return v;
      ctx.addIssue({ code: "custom", ...complaint("INVALID_CHOICE", { value: String(v).slice(0, 100) }) });
      return z.NEVER;
    })
    .register(z.globalRegistry, { type: "string", enum: [...choices] });
}

/** An ISO 8601 time with a date and a time of day ("2026-12-05T10:00:00Z"; no zone means UTC). */
const DateTimeSchema = z
  .unknown()
  .transform((v, ctx): Date => {
    const at = typeof v === "string" && /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(v) ? new Date(/T.*(Z|[+-]\d{2}:?\d{2})$/.test(v) || !v.includes("T") ? v : `${v}Z`) : null;
    if (at && !Number.isNaN(at.getTime())) return at;
    ctx.addIssue({ code: "custom", ...complaint("DATETIME_FORMAT") });
    return z.NEVER;
  })
  .register(z.globalRegistry, { type: "string", format: "date-time", example: "2026-12-05T10:00:00Z" });

const PageQuery = {
  limit: z.optional(IntegerSchema),
  // A users' cursor may hold an e-mail address (254 characters, base64url).
  cursor: z.optional(TextQuery(600).meta({ description: "`next_cursor` of the previous page" })),
};

function TextQuery(max: number) {
  return z.string().max(max, { error: () => messageFor("MAX_LENGTH", { max }) });
}

export const AdminUsersQuery = z
  .object({
    q: z.optional(TextQuery(100).meta({ description: "A case-insensitive substring of the e-mail or the name" })),
    status: z.optional(stringChoice(["verified", "unverified", "disabled"] as const)),
    role: z.optional(TextQuery(50).meta({ description: "A role's name or id" })),
    two_factor: z.optional(stringChoice(["on", "off"] as const)),
    sort: z.optional(stringChoice(USER_SORTS).meta({ description: "created (the default, newest first), email or last_login; `-` first for descending" })),
    ...PageQuery,
  })
  .transform(({ q, two_factor, ...rest }) => ({ ...rest, search: q, twoFactor: two_factor === undefined ? undefined : two_factor === "on" }));

export const AdminAuditQuery = z
  .object({
    user: z.optional(IntegerSchema),
    type: z.optional(TextQuery(64)),
    since: z.optional(DateTimeSchema.meta({ description: "Recorded at or after (ISO 8601)" })),
    until: z.optional(DateTimeSchema.meta({ description: "Recorded before (ISO 8601)" })),
    format: z.optional(stringChoice(["json", "csv"] as const)),
    ...PageQuery,
  })
  .transform(({ user, ...rest }) => ({ ...rest, userId: user }));

export const AdminStatsQuery = z.object({ days: z.optional(IntegerSchema) });

export const AdminRoleRequest = z.object({ roleid: IntegerSchema });
