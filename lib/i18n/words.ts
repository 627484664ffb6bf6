import type { Messages } from "next-intl";
import type { Issue } from "@/lib/errors";
import type { Params } from "@/lib/messages";

// Leaf keys; `byField.*` keys are asked for by their text (wordIssue).
type ErrorKey = Exclude<keyof Messages["errors"], "byField">;

/**
 * The pages' words for what a service or a schema said (lib/errors.ts Issue): the `errors`
 * namespace of the reader's language, keyed by the message code, never the API's legacy wording.
 * Browser-safe: the forms word their own checks with it too.
 */
export interface ErrorWords {
  (key: ErrorKey, values?: Params): string;
  has(key: ErrorKey): boolean;
}

export function wordIssue(t: ErrorWords, issue: Pick<Issue, "code" | "params"> & Partial<Pick<Issue, "field">>): string {
  // No code: a schema's generic check (a hidden field of the wrong type), never shown by a working page.
  // A wait of minutes is said in minutes ("Wait 5 minutes", not "Wait 300 seconds").
  const seconds = Number(issue.params?.seconds);
  if (issue.code === "RATE_LIMITED" && seconds >= 120) return t("RATE_LIMITED_MINUTES", { minutes: Math.ceil(seconds / 60) });
  // Where a field needs its own words for a code (`byField.<field>.<CODE>`: a taken address when
  // changing one's e-mail, a wrong e-mailed code rather than an authenticator's), they win.
  const own = `byField.${issue.field}.${issue.code}` as unknown as ErrorKey;
  if (issue.field && issue.code && t.has(own)) return t(own, issue.params);
  const key = issue.code as ErrorKey | undefined;
  return key && t.has(key) ? t(key, issue.params) : t("INVALID_VALUE");
}
