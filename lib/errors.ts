import { said, type MessageCode, type Params, type Said } from "./messages";

/**
 * Failures as the services report them: a code from the one message map (lib/messages.ts), the
 * input field it concerns, named as the domain and the browser forms name it (`code`,
 * `currentPassword`, `refreshToken`…), and for limits the seconds until a retry may succeed.
 * Nothing here knows HTTP: lib/api maps codes to statuses and fields to the wire's names, and
 * lib/web turns the same errors into form state.
 */

export type ErrorCode = MessageCode;
/**
 * One problem: a message for a field, or for the request as a whole (`field: null`). `code` and
 * `params` let a page word it in the reader's language; an issue without a code (a schema's
 * generic check) is worded generically there.
 */
export interface Issue extends Partial<Omit<Said, "message">> {
  field: string | null;
  message: string;
}

/** An issue of `field` with the message of `code`. */
export const fieldIssue = (field: string | null, code: MessageCode, params?: Params): Issue => ({ field, ...said(code, params) });

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
    const issues = options.issues ?? [fieldIssue(options.field ?? null, code as ErrorCode, options.params)];
    super(issues[0]?.message ?? code, { cause: options.cause });
    this.code = code;
    this.issues = issues;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }

  /** The issues grouped by field, those tied to no field under `formKey`, in the order found, worded by `word` (the API's words by default). */
  byField(formKey: string, word: (issue: Issue) => string = (issue) => issue.message): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const issue of this.issues) {
      const list = (out[issue.field ?? formKey] ??= []);
      const message = word(issue);
      if (!list.includes(message)) list.push(message);
    }
    return out;
  }
}

/** Input that failed validation: several fields' issues at once. */
export class ValidationError extends AppError {
  override name = "ValidationError";

  constructor(issues: Issue[]) {
    super("VALIDATION", { issues });
  }
}

/** A required field left out. */
export const requiredField = (field: string) => new ValidationError([fieldIssue(field, "REQUIRED")]);

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;

/** A limit was hit: try again in `seconds`. */
export const rateLimited = (seconds: number) =>
  new AppError("RATE_LIMITED", { params: { seconds }, retryAfterSeconds: seconds });
