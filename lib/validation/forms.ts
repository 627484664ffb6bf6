import { z } from "zod";
import { MESSAGES, messageFor } from "@/lib/messages";
import {
  DEFAULT_OTP_LENGTH,
  DEFAULT_PASSWORD_MIN_LENGTH,
  DobSchema,
  EmailSchema,
  MobileSchema,
  NameSchema,
  otpSchema,
  passwordSchema,
  PresentedPasswordSchema,
} from "./fields";

/**
 * The browser forms' schemas: the API's field schemas composed with what only a form has
 * (a confirmation field, an optional `next`). They run in the browser (react-hook-form's
 * zodResolver) and again in the server action.
 */

/** The password typed twice must match; the error sits on the confirmation field. */
function confirmed<S extends z.ZodType<{ confirmPassword: string }>>(schema: S, key: string) {
  return schema.refine((v) => (v as Record<string, unknown>)[key] === v.confirmPassword, {
    path: ["confirmPassword"],
    message: MESSAGES.PASSWORDS_DIFFER,
  });
}

const OptionalRole = z
  .unknown()
  .transform((v) => (v === undefined || v === "" ? undefined : Number(v)))
  .refine((v) => v === undefined || Number.isSafeInteger(v), MESSAGES.NOT_AN_INTEGER);

export const NextPathField = z.string().optional();

/** The token of an e-mailed link, a hidden field: without it the link is as good as invalid. */
const linkToken = (code: "RESET_TOKEN_INVALID" | "CONFIRMATION_INVALID") => z.string({ error: messageFor(code) }).min(1, messageFor(code));

export const ConfirmLinkFormSchema = z.object({ token: linkToken("CONFIRMATION_INVALID") });

export function signUpFormSchema(minLength = DEFAULT_PASSWORD_MIN_LENGTH) {
  return confirmed(
    z.object({
      name: NameSchema,
      email: EmailSchema,
      password: passwordSchema(minLength),
      confirmPassword: z.string(),
      mobile: MobileSchema,
      dob: DobSchema,
      roleId: OptionalRole,
    }),
    "password",
  );
}

export const LoginFormSchema = z.object({ email: EmailSchema, password: PresentedPasswordSchema, next: NextPathField });

export const verifyFormSchema = (length = DEFAULT_OTP_LENGTH) =>
  z.object({ email: EmailSchema, code: otpSchema(length), next: NextPathField });

export const EmailFormSchema = z.object({ email: EmailSchema });

export function resetPasswordFormSchema(minLength = DEFAULT_PASSWORD_MIN_LENGTH) {
  return confirmed(z.object({ token: linkToken("RESET_TOKEN_INVALID"), password: passwordSchema(minLength), confirmPassword: z.string() }), "password");
}

export const ProfileFormSchema = z.object({ name: NameSchema, mobile: MobileSchema, dob: DobSchema });

export function changePasswordFormSchema(minLength = DEFAULT_PASSWORD_MIN_LENGTH) {
  return confirmed(
    z.object({ currentPassword: PresentedPasswordSchema, newPassword: passwordSchema(minLength), confirmPassword: z.string() }),
    "newPassword",
  );
}
