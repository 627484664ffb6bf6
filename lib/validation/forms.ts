import * as z from "zod/mini";
import {
  CheckboxSchema,
  complaint,
  DEFAULT_OTP_LENGTH,
  DEFAULT_PASSWORD_MIN_LENGTH,
  DobSchema,
  EmailSchema,
  MobileSchema,
  NameSchema,
  otpSchema,
  PasskeyNameSchema,
  passwordSchema,
  PresentedPasswordSchema,
  REAUTHENTICATION_CODE_LENGTH,
  refuse,
  uriListSchema,
} from "./fields";
import type { MessageCode } from "@/lib/messages";
import type { SignupFields } from "@/lib/config/signup-fields";

/**
 * The browser forms' schemas: the API's field schemas composed with what only a form has
 * (a confirmation field, an optional `next`). They run in the browser (react-hook-form's
 * resolver, components/form-control.ts) and again in the server action; zod/mini, as fields.ts, to keep the browser's share small.
 */

/** The password typed twice must match; the error sits on the confirmation field. */
function confirmed<S extends z.ZodMiniType<{ confirmPassword: string }>>(schema: S, key: string) {
  return schema.check(
    z.refine((v) => (v as Record<string, unknown>)[key] === v.confirmPassword, {
      path: ["confirmPassword"],
      ...complaint("PASSWORDS_DIFFER"),
    }),
  );
}

const OptionalRole = z
  .pipe(
    z.unknown(),
    z.transform((v: unknown) => (v === undefined || v === "" ? undefined : Number(v))),
  )
  .check(z.refine((v) => v === undefined || Number.isSafeInteger(v), complaint("NOT_AN_INTEGER")));

export const NextPathField = z.optional(z.string());

/** A form with nothing to type: a button whose action answers with state (a TOTP set-up, passkey options). */
export const NoFieldsFormSchema = z.object({});

/** The token of an e-mailed link, a hidden field: without it the link is as good as invalid. */
const linkToken = (code: "RESET_TOKEN_INVALID" | "CONFIRMATION_INVALID" | "EMAIL_CHANGE_INVALID") =>
  z.pipe(
    z.unknown(),
    z.transform((v: unknown, ctx) => (typeof v === "string" && v !== "" ? v : refuse(ctx, code))),
  );

export const ConfirmLinkFormSchema = z.object({ token: linkToken("CONFIRMATION_INVALID") });

/** An optional field of a form: left empty, it is absent (undefined); filled in, it must be valid. */
const blankAsAbsent = (schema: z.ZodMiniType<string, unknown>) =>
  z.pipe(
    z.transform((v: unknown): unknown => (v === undefined || v === null || (typeof v === "string" && v.trim() === "") ? undefined : v)),
    z.optional(schema),
  );

const RequiredRole = OptionalRole.check(z.refine((v) => v !== undefined, complaint("INVALID_CHOICE")));

/** What the sign-up form gives its action; the fields SIGNUP_FIELDS leaves out, or left empty, are absent. */
export interface SignUpForm {
  email: string;
  password: string;
  confirmPassword: string;
  name?: string;
  mobile?: string;
  dob?: string;
  roleId?: number;
}

/**
 * The sign-up page's form: e-mail and password, and what SIGNUP_FIELDS asks for (required or
 * optional; fields not asked for are dropped, and the account keeps them empty).
 */
export function signUpFormSchema(minLength = DEFAULT_PASSWORD_MIN_LENGTH, fields: SignupFields = { name: "required" }) {
  const asked = (field: "name" | "mobile" | "dob", schema: z.ZodMiniType<string, unknown>) =>
    (fields[field] === "required" ? { [field]: schema } : fields[field] === "optional" ? { [field]: blankAsAbsent(schema) } : {}) as Partial<
      Record<typeof field, z.ZodMiniType<string | undefined, unknown>>
    >;
  const schema = z.object({
    email: EmailSchema,
    password: passwordSchema(minLength),
    confirmPassword: z.string(),
    ...asked("name", NameSchema),
    ...asked("mobile", MobileSchema),
    ...asked("dob", DobSchema),
    ...(fields.role ? { roleId: fields.role === "required" ? RequiredRole : OptionalRole } : {}),
  });
  // The object's shape depends on the setting; what it gives is SignUpForm.
  return confirmed(schema as unknown as z.ZodMiniType<SignUpForm, unknown>, "password");
}

export const LoginFormSchema = z.object({ email: EmailSchema, password: PresentedPasswordSchema, next: NextPathField });

export const verifyFormSchema = (length = DEFAULT_OTP_LENGTH) =>
  z.object({ email: EmailSchema, code: otpSchema(length), next: NextPathField });

export const EmailFormSchema = z.object({ email: EmailSchema });

export function resetPasswordFormSchema(minLength = DEFAULT_PASSWORD_MIN_LENGTH) {
  return confirmed(z.object({ token: linkToken("RESET_TOKEN_INVALID"), password: passwordSchema(minLength), confirmPassword: z.string() }), "password");
}

export const ProfileFormSchema = z.object({ name: NameSchema, mobile: MobileSchema, dob: DobSchema });

/** Signing out one other session of the account (its id, a hidden field). */
export const RevokeSessionFormSchema = z.object({ sessionId: z.string().check(z.minLength(1)) });

export function changePasswordFormSchema(minLength = DEFAULT_PASSWORD_MIN_LENGTH) {
  return confirmed(
    z.object({ currentPassword: PresentedPasswordSchema, newPassword: passwordSchema(minLength), confirmPassword: z.string() }),
    "newPassword",
  );
}

// ---- Account centre

/** A code as typed into one of the account centre's fields: `accept` says what it is, or null. */
function codeField(code: MessageCode, accept: (typed: string) => string | null) {
  return z.pipe(
    z.unknown(),
    z.transform((v: unknown, ctx) => {
      const accepted = typeof v === "string" && v.length <= 64 ? accept(v) : null;
      return accepted === null ? refuse(ctx, code) : accepted;
    }),
  );
}

const sixDigits = (typed: string) => {
  // Apps show "123 456"; people copy it so.
  const digits = typed.replace(/\s/g, "");
  return /^\d{6}$/.test(digits) ? digits : null;
};
const recoveryCode = (typed: string) => (typed.trim() ? typed.trim() : null);

/** An authenticator app's current code. */
export const TotpCodeField = codeField("TOTP_CODE_FORMAT", sixDigits);
/** One of the ten recovery codes (the service compares them without case, spaces or dashes). */
export const RecoveryCodeField = codeField("RECOVERY_CODE_FORMAT", recoveryCode);
/** Either: six digits are taken for an authenticator code, anything else for a recovery code. */
export const SecondFactorCodeField = codeField("SECOND_FACTOR_FORMAT", (typed) => sixDigits(typed) ?? recoveryCode(typed));

export const TotpCodeFormSchema = z.object({ code: TotpCodeField });
export const TurnOffTwoFactorFormSchema = z.object({ code: SecondFactorCodeField });

/** The second step of a sign-in, with an authenticator code or with a recovery code. */
export const SecondStepCodeFormSchema = z.object({ code: TotpCodeField, next: NextPathField });
export const SecondStepRecoveryFormSchema = z.object({ recoveryCode: RecoveryCodeField, next: NextPathField });

/** What the browser's WebAuthn call answered, as JSON in a form field; the service verifies its contents. */
const WebAuthnResponseField = z.pipe(
  z.unknown(),
  z.transform((text: unknown, ctx) => {
    try {
      const value: unknown = typeof text === "string" && text.length <= 64_000 ? JSON.parse(text) : null;
      if (value && typeof value === "object" && !Array.isArray(value)) return value as Record<string, unknown>;
    } catch {
      // not JSON
    }
    return refuse(ctx, "PASSKEY_INVALID");
  }),
);

/** The name typed before the browser is asked for a passkey; the response is added after. */
export const PasskeyNameFormSchema = z.object({ name: PasskeyNameSchema });
export const AddPasskeyFormSchema = z.object({ name: PasskeyNameSchema, response: WebAuthnResponseField });
export const RemovePasskeyFormSchema = z.object({ passkeyId: z.string().check(z.minLength(1), z.maxLength(1024)) });
export const PasskeySignInFormSchema = z.object({ response: WebAuthnResponseField, next: NextPathField });

/**
 * The password is asked for only when the account has one: the form leaves the field out otherwise
 * (and the service insists on it when the account has one).
 */
export const ChangeEmailFormSchema = z.object({ newEmail: EmailSchema, password: z.optional(PresentedPasswordSchema) });
export const ConfirmEmailChangeFormSchema = z.object({ token: linkToken("EMAIL_CHANGE_INVALID") });

/** Deleting the account: its password, or — for an account without one — its own address. */
export const DeleteAccountFormSchema = z.object({ password: z.optional(PresentedPasswordSchema), email: z.optional(EmailSchema) });

// ---- Confirm it's you (a fresh proof of the session before a sensitive change)

/**
 * What the step asks for, each field only when the account has that factor (the form leaves the
 * others out, and the service insists on what the account has): the password or the e-mailed
 * `otp`, and with two-factor on an authenticator or recovery `code`.
 */
export const ReauthenticateFormSchema = z.object({
  password: z.optional(PresentedPasswordSchema),
  otp: z.optional(otpSchema(REAUTHENTICATION_CODE_LENGTH)),
  code: z.optional(SecondFactorCodeField),
});

/** A passkey instead: its answer, and the code for an account with two-factor on when the passkey did not verify its user. */
export const PasskeyReauthenticateFormSchema = z.object({ response: WebAuthnResponseField, code: z.optional(SecondFactorCodeField) });

// ---- The console's Apps page (the OpenID provider's clients)

/** One client, by its id (a hidden field): a connected app's Revoke, the console's Remove. */
export const ClientIdFormSchema = z.object({ clientId: z.string().check(z.minLength(1), z.maxLength(256)) });

/** Confidential: a server that keeps a secret. Public: no secret, PKCE alone (a phone, desktop or browser app). */
export const CLIENT_TYPES = ["confidential", "public"] as const;
export type ClientType = (typeof CLIENT_TYPES)[number];

const ClientTypeField = z.pipe(
  z.unknown(),
  z.transform((v: unknown, ctx): ClientType => ((CLIENT_TYPES as readonly unknown[]).includes(v) ? (v as ClientType) : refuse(ctx, "INVALID_CHOICE", { value: String(v) }))),
);

/** A new client as the Apps page's form gives it (lib/oauth/clients.ts NewClient, with its type spelled out). */
export const NewClientFormSchema = z
  .object({
    name: NameSchema,
    type: ClientTypeField,
    redirectUris: uriListSchema({ required: true }),
    postLogoutRedirectUris: uriListSchema({ required: false }),
    clientCredentials: CheckboxSchema,
    firstParty: CheckboxSchema,
  })
  .check(
    z.refine((client) => !(client.type === "public" && client.clientCredentials), {
      path: ["clientCredentials"],
      ...complaint("PUBLIC_CLIENT_CREDENTIALS"),
    }),
  );

// ---- The console's user page

const UserIdField = z.pipe(
  z.unknown(),
  z.transform((v: unknown) => Number(v)),
).check(z.refine((v) => Number.isSafeInteger(v) && v > 0, complaint("NOT_AN_INTEGER")));

/** The users table's orders (lib/admin/users.ts): by creation, e-mail or last sign-in; `-` first for descending. */
export const USER_SORTS = ["-created", "created", "email", "-email", "-last_login", "last_login"] as const;
export type UserSort = (typeof USER_SORTS)[number];

/** One account, by its id (a hidden field): each action of the console's user page. */
export const UserIdFormSchema = z.object({ userId: UserIdField });

/** "Sign out" of one session on the console's user page: the account and the session (hidden fields). */
export const UserSessionFormSchema = z.object({ userId: UserIdField, sessionId: z.string().check(z.minLength(1)) });

/** "Change role": the account and the role it is to have. */
export const ChangeRoleFormSchema = z.object({ userId: UserIdField, roleId: UserIdField });
