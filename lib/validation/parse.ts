import * as z from "zod/mini";
import { ValidationError } from "@/lib/errors";

/** zod issues as field errors: `{ field: [messages…] }`, in field order; no path → `errors`. */
export function fieldErrorsOf(error: z.core.$ZodError): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const issue of error.issues) {
    const field = issue.path.length ? String(issue.path[0]) : "errors";
    const list = (out[field] ??= []);
    if (!list.includes(issue.message)) list.push(issue.message);
  }
  return out;
}

/** Validates input against a schema (classic or mini); failures throw `ValidationError` with every field's messages. */
export function parseInput<S extends z.core.$ZodType>(schema: S, input: unknown): z.output<S> {
  const result = z.safeParse(schema, input);
  if (!result.success) throw new ValidationError(fieldErrorsOf(result.error));
  return result.data;
}
