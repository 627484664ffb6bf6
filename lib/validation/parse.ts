import type { z } from "zod";
import { FieldErrors } from "@/lib/errors";

/** zod issues as the contract's field errors: `{ field: [messages…] }`, in field order. */
export function fieldErrorsOf(error: z.ZodError): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const issue of error.issues) {
    const field = issue.path.length ? String(issue.path[0]) : "errors";
    const list = (out[field] ??= []);
    if (!list.includes(issue.message)) list.push(issue.message);
  }
  return out;
}

/**
 * Validates a request body against a schema. Failures throw `FieldErrors` (400); an endpoint's
 * extra failure members (`tokens: {}` and the like) are added by its route (lib/http/route.ts).
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new FieldErrors(fieldErrorsOf(result.error));
  return result.data;
}
