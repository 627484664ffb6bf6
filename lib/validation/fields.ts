import * as z from "zod/mini";
import { said, type MessageCode, type Params, type Said } from "@/lib/messages";

/**
 * Field schemas, defined once and shared by the JSON API, the server actions and the browser
 * forms (this module must stay free of server-only imports). Messages follow Django REST
 * framework's wording, which the API contract keeps. Written with zod/mini, whose functions the
 * bundler can leave out when unused: classic zod's methods all come along with its first schema.
 * Classic schemas compose them as they do their own (`z.object`, `z.optional`, `z.toJSONSchema`).
 */

/**
 * A schema's complaint: the API's words as its message, and what was said (code, params) for the
 * pages to word in the reader's language (lib/validation/parse.ts reads it back).
 */
export function complaint(code: MessageCode, params?: Params): { message: string; params: { said: Said } } {
  const s = said(code, params);
  return { message: s.message, params: { said: s } };
}

/** A failed value inside a transform (zod/mini's transforms have no `ctx.addIssue`). */
export function refuse(ctx: z.core.ParsePayload, code: MessageCode, params?: Params): never {
  ctx.issues.push({ code: "custom", ...complaint(code, params), input: ctx.value });
  return z.NEVER;
}

export const PASSWORD_MAX_LENGTH = 128;
export const DEFAULT_PASSWORD_MIN_LENGTH = 8;
export const DEFAULT_OTP_LENGTH = 4;
/** The code e-mailed to confirm it's the owner of an account without a password (lib/auth/reauthentication.ts). */
export const REAUTHENTICATION_CODE_LENGTH = 6;

/** DRF's CharField: numbers become strings, other types are refused, surrounding space is trimmed. */
function text(options: { max: number; trim?: boolean; allowBlank?: boolean }) {
  return z
    .pipe(
      z.unknown().check(
        z.superRefine((v, ctx) => {
          if (v === undefined) ctx.addIssue({ code: "custom", ...complaint("REQUIRED") });
          else if (v === null) ctx.addIssue({ code: "custom", ...complaint("NULL") });
          else if (typeof v !== "string" && typeof v !== "number") ctx.addIssue({ code: "custom", ...complaint("NOT_A_STRING") });
        }),
      ),
      z.transform((v: unknown) => {
        const s = String(v);
        return options.trim === false ? s : s.trim();
      }),
    )
    .check(
      z.superRefine((s: string, ctx) => {
        // As in DRF, a blank or too long value gets that one message: the field's own checks
        // (e-mail syntax, date format…) chained after this one are skipped.
        if (!options.allowBlank && s === "") ctx.addIssue({ code: "custom", ...complaint("BLANK"), continue: false });
        else if (s.length > options.max) ctx.addIssue({ code: "custom", ...complaint("MAX_LENGTH", { max: options.max }), continue: false });
        // DRF's ProhibitNullCharactersValidator; PostgreSQL cannot store U+0000 in text either.
        else if (s.includes("\u0000")) ctx.addIssue({ code: "custom", ...complaint("NULL_CHARACTERS"), continue: false });
      }),
    );
}

// A pragmatic address check (what browsers' type=email accepts, with a dot in the domain).
const EMAIL_PATTERN = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

/** E-mail addresses are matched case-insensitively: stored trimmed and lowercased. */
export const EmailSchema = z
  .pipe(
    text({ max: 254 }),
    z.transform((s: string) => s.toLowerCase()),
  )
  .check(z.refine((s) => s === "" || EMAIL_PATTERN.test(s), complaint("INVALID_EMAIL")))
  .register(z.globalRegistry, { type: "string", format: "email", maxLength: 254, example: "ponoki@simplemail.top" });

export const NameSchema = text({ max: 150 }).register(z.globalRegistry, { type: "string", maxLength: 150, example: "alexa999" });

export const MobileSchema = text({ max: 20 })
  .check(z.refine((s) => /^\+?[0-9][0-9 ()-]{3,19}$/.test(s), complaint("INVALID_MOBILE")))
  .register(z.globalRegistry, { type: "string", maxLength: 20, example: "76765757" });

/** A calendar date "YYYY-MM-DD" that exists (2023-02-30 does not). */
export const DobSchema = text({ max: 10 })
  .check(
    z.superRefine((s: string, ctx) => {
      const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
      if (!m) return ctx.addIssue({ code: "custom", ...complaint("DATE_FORMAT") });
      const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
      const date = new Date(Date.UTC(y, mo - 1, d));
      if (y < 1900 || y > 2100 || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) {
        ctx.addIssue({ code: "custom", ...complaint("INVALID_DATE") });
      }
    }),
  )
  .register(z.globalRegistry, { type: "string", format: "date", example: "1990-01-12" });

/** Passwords are compared after Unicode NFKC normalisation (NIST SP 800-63B). */
export const normalizePassword = (password: string) => password.normalize("NFKC");

/** The length rule, counted in code points of the normalised password; null when it holds. */
export function passwordLengthProblem(password: string, minLength: number): Said | null {
  const length = [...normalizePassword(password)].length;
  if (length < minLength) return said("PASSWORD_TOO_SHORT", { min: minLength });
  if (length > PASSWORD_MAX_LENGTH) return said("MAX_LENGTH", { max: PASSWORD_MAX_LENGTH });
  return null;
}

/** Length rules only; the common-password check runs on the server (the list is large). */
export function passwordSchema(minLength: number = DEFAULT_PASSWORD_MIN_LENGTH) {
  return text({ max: 4096, trim: false }).check(
    z.superRefine((s: string, ctx) => {
      const problem = passwordLengthProblem(s, minLength);
      if (problem) ctx.addIssue({ code: "custom", message: problem.message, params: { said: problem } });
    }),
  );
}

/** A password presented for checking (login, current password): any non-blank string. */
export const PresentedPasswordSchema = text({ max: 4096, trim: false }).register(z.globalRegistry, { type: "string", format: "password" });

/** A code from an authenticator app (6 digits) or a recovery code (two groups of five). */
export const AuthCodeSchema = text({ max: 32 }).register(z.globalRegistry, { type: "string", example: "492039" });

/** A passkey's name, as its owner will recognise it ("Laptop", "Phone"). */
export const PasskeyNameSchema = text({ max: 60, allowBlank: true }).register(z.globalRegistry, { type: "string", maxLength: 60, example: "Laptop" });

/** A ticked checkbox: the browser sends "on" (react-hook-form gives `true`); an unticked one sends nothing. */
export const CheckboxSchema = z.pipe(
  z.optional(z.unknown()),
  z.transform((v: unknown) => v === true || v === "on"),
);

const URI_LIST_MAX_LENGTH = 10_000;

/** Absolute, without a fragment (RFC 6749 §3.1.2); which schemes a client may use is the provider's to say. */
const isAbsoluteUriWithoutFragment = (uri: string) => URL.canParse(uri) && !uri.includes("#");

/**
 * URIs as an operator types them, one per line (blank lines and surrounding space ignored): a
 * client's redirect URIs, or its sign-out ones. `required`: at least one.
 */
export function uriListSchema({ required }: { required: boolean }) {
  return z.pipe(
    z.optional(z.unknown()),
    z.transform((v: unknown, ctx): string[] => {
      const typed = typeof v === "string" ? v : "";
      if (typed.length > URI_LIST_MAX_LENGTH) return refuse(ctx, "MAX_LENGTH", { max: URI_LIST_MAX_LENGTH });
      const uris = typed
        .split(/\r?\n/)
        .map((line) => line.trim())
        .filter(Boolean);
      if (required && uris.length === 0) return refuse(ctx, "REQUIRED");
      const wrong = uris.find((uri) => !isAbsoluteUriWithoutFragment(uri));
      return wrong === undefined ? uris : refuse(ctx, "REDIRECT_URI_INVALID", { uri: wrong.slice(0, 100) });
    }),
  );
}

/** An integer, as JSON sends it (5) or a form does ("5"). */
export const IntegerSchema = z
  .pipe(
    z.unknown(),
    z.transform((v: unknown, ctx) => {
      if (v === undefined) return refuse(ctx, "REQUIRED");
      if (v === null) return refuse(ctx, "NULL");
      const n = typeof v === "number" ? v : typeof v === "string" && /^\s*-?\d{1,15}\s*$/.test(v) ? Number(v) : NaN;
      if (!Number.isSafeInteger(n)) return refuse(ctx, "NOT_AN_INTEGER");
      return n;
    }),
  )
  .register(z.globalRegistry, { type: "integer" });

/** One of the given integer choices, answered with DRF's "is not a valid choice." otherwise. */
export function integerChoice<const T extends readonly number[]>(choices: T) {
  return z
    .pipe(
      z.unknown(),
      z.transform((v: unknown, ctx): T[number] => {
        const parsed = IntegerSchema.safeParse(v);
        if (!parsed.success) {
          if (v === undefined || v === null) return refuse(ctx, v === null ? "NULL" : "REQUIRED");
        } else if ((choices as readonly number[]).includes(parsed.data)) {
          return parsed.data as T[number];
        }
        return refuse(ctx, "INVALID_CHOICE", { value: shownChoice(v) });
      }),
    )
    .register(z.globalRegistry, { type: "integer", enum: [...choices] });
}

/** A refused choice as the message quotes it: lists and objects as JSON, cut to a readable length. */
function shownChoice(v: unknown): string {
  let shown: string;
  try {
    shown = typeof v === "object" ? JSON.stringify(v) : String(v);
  } catch {
    // Nested deeper than JSON.stringify's recursion goes.
    shown = Array.isArray(v) ? "[…]" : "{…}";
  }
  return shown.length > 100 ? `${shown.slice(0, 100)}…` : shown;
}

/** The e-mailed code: digits only; a JSON number is accepted (the documents show `otp` as int). */
export function otpSchema(length: number = DEFAULT_OTP_LENGTH) {
  return z
    .pipe(
      z.unknown(),
      z.transform((v: unknown, ctx) => {
        if (v === undefined || v === null) return refuse(ctx, v === null ? "NULL" : "REQUIRED");
        const s = typeof v === "number" && Number.isSafeInteger(v) && v >= 0 ? String(v).padStart(length, "0") : typeof v === "string" ? v.trim() : null;
        if (s === null || s === "") return refuse(ctx, s === "" ? "BLANK" : "NOT_A_STRING");
        if (!/^\d+$/.test(s) || s.length !== length) return refuse(ctx, "CODE_FORMAT");
        return s;
      }),
    )
    .register(z.globalRegistry, { type: "string", pattern: `^[0-9]{${length}}$`, example: "0217" });
}
