import { messageFor, type MessageCode } from "./messages";

/**
 * Failures as the services report them: a code from the one message map (lib/messages.ts), the
 * input field it concerns, named as the domain and the browser forms name it (`code`,
 * `currentPassword`, `refreshToken`…), and for limits the seconds until a retry may succeed.
 * Nothing here knows HTTP: lib/api maps codes to statuses and fields to the wire's names, and
 * lib/web turns the same errors into form state.
 */

export type ErrorCode = MessageCode;
type Params = Record<string, string | number>;

/** One problem: a message for a field, or for the request as a whole (`field: null`). */
export interface Issue {
  field: string | null;
  message: string;
}

export interface AppErrorOptions {
  field?: string;
  params?: Params;
  /** For RATE_LIMITED and SERVICE_UNAVAILABLE: when trying again can succeed. */
  retryAfterSeconds?: number;
  cause?: unknown;
}

export class AppError extends Error {
  override name = "AppError";
  readonly code: ErrorCode | "VALIDATION";
  readonly issues: readonly Issue[];
  readonly retryAfterSeconds: number | undefined;

  constructor(code: ErrorCode, options?: AppErrorOptions);
  constructor(code: "VALIDATION", options: { issues: Issue[] });
  constructor(code: ErrorCode | "VALIDATION", options: AppErrorOptions & { issues?: Issue[] } = {}) {
    const issues = options.issues ?? [{ field: options.field ?? null, message: messageFor(code as ErrorCode, options.params) }];
    super(issues[0]?.message ?? code, { cause: options.cause });
    this.code = code;
    this.issues = issues;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }

  /** The issues grouped by field, those tied to no field under `formKey`, in the order found. */
  byField(formKey: string): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const { field, message } of this.issues) {
      const list = (out[field ?? formKey] ??= []);
      if (!list.includes(message)) list.push(message);
    }
    return out;
  }
}

/** Input that failed validation: several fields' messages at once, already worded. */
export class ValidationError extends AppError {
  override name = "ValidationError";

  constructor(fieldErrors: Record<string, string[]>) {
    super("VALIDATION", {
      issues: Object.entries(fieldErrors).flatMap(([field, messages]) => messages.map((message) => ({ field, message }))),
    });
  }
}

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;

/** A limit was hit: try again in `seconds`. */
export const rateLimited = (seconds: number) =>
  new AppError("RATE_LIMITED", { params: { seconds }, retryAfterSeconds: seconds });
