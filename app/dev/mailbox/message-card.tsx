import { getFormatter, getTranslations } from "next-intl/server";
import type { ReactNode } from "react";
import type { MailKind, OutboxRow } from "@/lib/db/outbox";
import { isCodeLine, linksIn } from "@/lib/mail/mailbox";

/**
 * One outbox message for the dev mailbox: envelope, status, and the text body with live links. The
 * card speaks the reader's language; the message its recipient's (`dir="auto"` lays an Arabic
 * mail out right to left on an English page, and the other way round).
 */
export async function MessageCard({ email }: { email: OutboxRow }) {
  const t = await getTranslations("mailbox");
  const format = await getFormatter();
  // The request's time zone is UTC (lib/i18n/request.ts): the same wherever the server runs.
  const when = (value: Date) => t("time", { time: format.dateTime(value, { dateStyle: "medium", timeStyle: "medium" }) });
  const time = (value: Date) => <time dateTime={value.toISOString()}>{when(value)}</time>;
  return (
    <article
      aria-labelledby={`mail-${email.id}-subject`}
      className="overflow-hidden rounded-xl border border-slate-200 bg-white shadow-sm dark:border-slate-800 dark:bg-slate-900"
    >
      <header className="border-b border-slate-200 px-5 py-4 dark:border-slate-800">
        <div className="flex flex-wrap items-center gap-2">
          <h2 id={`mail-${email.id}-subject`} dir="auto" className="me-auto text-start text-lg font-semibold">
            {email.subject}
          </h2>
          <Badge>{isMailKind(email.kind) ? t(`kind.${email.kind}`) : email.kind}</Badge>
          <StatusBadge status={email.status} label={isStatus(email.status) ? t(`status.${email.status}`) : email.status} />
        </div>
        <dl className="mt-2 grid grid-cols-[auto_1fr] gap-x-3 gap-y-0.5 text-sm text-slate-600 dark:text-slate-400">
          <dt>{t("to")}</dt>
          <dd className="font-medium text-slate-900 dark:text-slate-100">
            <bdi>{email.to}</bdi>
          </dd>
          <dt>{t("queued")}</dt>
          <dd>{time(email.createdAt)}</dd>
          {email.sentAt && (
            <>
              <dt>{t("sent")}</dt>
              <dd>{time(email.sentAt)}</dd>
            </>
          )}
          {email.lastError && (
            <>
              <dt>{t("lastError")}</dt>
              <dd className="text-red-700 dark:text-red-400">
                <bdi>{email.lastError}</bdi> ({t("attempt", { attempts: email.attempts })}
                {email.status === "pending" && (
                  <>
                    ;{" "}
                    {t.rich("nextAttempt", {
                      time: when(email.nextAttemptAt),
                      at: (chunks) => <time dateTime={email.nextAttemptAt.toISOString()}>{chunks}</time>,
                    })}
                  </>
                )}
                )
              </dd>
            </>
          )}
        </dl>
      </header>

      <div className="px-5 py-4">
        {email.text ? (
          <pre dir="auto" className="text-start font-sans text-sm leading-6 break-words whitespace-pre-wrap">
            {renderBody(email.text)}
          </pre>
        ) : (
          <p className="text-sm text-slate-500 italic">{t("erased")}</p>
        )}
      </div>

      {email.html && (
        <details className="border-t border-slate-200 px-5 py-3 dark:border-slate-800">
          <summary className="cursor-pointer text-sm font-medium text-slate-700 dark:text-slate-300">
            {t("htmlVersion")}
          </summary>
          {/* sandbox="" gives the message no scripts and no access to this origin. */}
          <iframe
            sandbox=""
            srcDoc={email.html}
            title={t("htmlTitle", { subject: email.subject })}
            className="mt-3 h-[32rem] w-full rounded-lg border border-slate-200 bg-white dark:border-slate-800"
          />
        </details>
      )}
    </article>
  );
}

/** The text body as React nodes (so it is escaped), with links clickable and codes large. */
function renderBody(text: string): ReactNode[] {
  return text.split("\n").map((line, i) => (
    <span key={i}>
      {isCodeLine(line) ? (
        <span className="font-mono text-2xl font-bold tracking-[0.4em] select-all">{line.trim()}</span>
      ) : (
        linkify(line)
      )}
      {"\n"}
    </span>
  ));
}

/** The line with its links clickable; the punctuation after a link stays text (lib/mail/mailbox.ts). */
function linkify(line: string): ReactNode[] {
  const nodes: ReactNode[] = [];
  let at = 0;
  for (const { link, index } of linksIn(line)) {
    nodes.push(line.slice(at, index));
    nodes.push(
      <a key={index} href={link} className="break-all text-indigo-700 underline hover:text-indigo-900 dark:text-indigo-400">
        {link}
      </a>,
    );
    at = index + link.length;
  }
  nodes.push(line.slice(at));
  return nodes;
}

function Badge({ children, tone = "slate" }: { children: ReactNode; tone?: "slate" | "green" | "amber" | "red" }) {
  const tones = {
    slate: "bg-slate-100 text-slate-700 dark:bg-slate-800 dark:text-slate-300",
    green: "bg-green-100 text-green-800 dark:bg-green-950 dark:text-green-300",
    amber: "bg-amber-100 text-amber-800 dark:bg-amber-950 dark:text-amber-300",
    red: "bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-300",
  };
  return <span className={`rounded-full px-2.5 py-0.5 text-xs font-medium ${tones[tone]}`}>{children}</span>;
}

function StatusBadge({ status, label }: { status: string; label: string }) {
  const tone = status === "sent" ? "green" : status === "failed" ? "red" : "amber";
  return <Badge tone={tone}>{label}</Badge>;
}

const MAIL_KINDS: readonly MailKind[] = ["verification", "password_reset", "notice"];
const isMailKind = (kind: string): kind is MailKind => (MAIL_KINDS as readonly string[]).includes(kind);
const STATUSES = ["pending", "sent", "failed"] as const;
const isStatus = (status: string): status is (typeof STATUSES)[number] => (STATUSES as readonly string[]).includes(status);
