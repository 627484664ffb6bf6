import type { Messages } from "next-intl";
import { getTranslations } from "next-intl/server";

type EventTypeKey = keyof Messages["adminAudit"]["eventTypes"];

/** An audit event's type in the reader's words, or null for a type without any (a new one: its code is shown alone). */
export async function eventTypeWords(): Promise<(type: string) => string | null> {
  const t = await getTranslations("adminAudit.eventTypes");
  return (type) => (t.has(type as EventTypeKey) ? t(type as EventTypeKey) : null);
}

/**
 * An audit event's type: its words, and its code beside them in small type, the code being what
 * the audit log's filter and the API take. Codes are Latin machine text, left to right everywhere.
 */
export function EventType({ type, words }: { type: string; words: string | null }) {
  return (
    <span className="inline-flex flex-wrap items-baseline gap-x-2">
      {words && <span className="font-semibold text-slate-900 dark:text-white">{words}</span>}
      <code dir="ltr" className={words ? "font-mono text-xs text-slate-600 dark:text-slate-400" : "font-mono text-[0.8125rem] font-semibold text-slate-900 dark:text-white"}>
        {type}
      </code>
    </span>
  );
}
