import { z } from "zod";
import { MESSAGES } from "@/lib/messages";
import {
  AuthCodeSchema,
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
