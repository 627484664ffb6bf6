import * as z from "zod/mini";
import { ValidationError, type Issue } from "@/lib/errors";
import type { Said } from "@/lib/messages";

/**
 * zod issues as the services' issues, in field order: the field is the first step of the path
 * (none: the request as a whole), and what a schema said (`complaint` in fields.ts) comes along.
 */
export function issuesOf(error: z.core.$ZodError): Issue[] {
  return error.issues.map((issue) => {
    const said = (issue as { params?: { said?: Said } }).params?.said;
    return { field: issue.path.length ? String(issue.path[0]) : null, ...said, message: issue.message };
  });
}

/** zod issues as field errors in the API's words: `{ field: [messages…] }`, in field order; no path → `errors`. */
export function fieldErrorsOf(error: z.core.$ZodError): Record<string, string[]> {
  return new ValidationError(issuesOf(error)).byField("errors");
}

/** Validates input against a schema (classic or mini); failures throw `ValidationError` with every field's issues. */
export function parseInput<S extends z.core.$ZodType>(schema: S, input: unknown): z.output<S> {
  const result = z.safeParse(schema, input);
  if (!result.success) throw new ValidationError(issuesOf(result.error));
  return result.data;
}
