import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { database } from "@/lib/db";
import { notFound } from "next/navigation";
import { devMailboxEnabled } from "@/lib/mail/transport";
import { latestEmails, pendingCount } from "@/lib/db/outbox";
import { MessageCard } from "./message-card";

/**
 * Development only: the mail the service would have sent, read from the outbox. Without SMTP_URL
 * this is where verification codes and links show up. Production answers 404: the page would
 * hand anyone every user's codes. Its words are the reader's language; each mail keeps its own.
 */

export const dynamic = "force-dynamic";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("mailbox");
  return { title: t("title"), robots: { index: false, follow: false } };
}

const SHOWN = 50;

export default async function DevMailboxPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  if (!devMailboxEnabled()) notFound();
  const t = await getTranslations("mailbox");
  // `?to=` shows one recipient's mail, as /dev/mailbox.json's does (addresses are stored lower-cased).
  const { to: wanted } = await searchParams;
  const to = typeof wanted === "string" && wanted.trim() ? wanted.trim().toLowerCase() : null;
  const [latest, pending] = await Promise.all([latestEmails(database, SHOWN), pendingCount(database)]);
  const emails = to ? latest.filter((e) => e.to === to) : latest;
  const here = to ? `/dev/mailbox?to=${encodeURIComponent(to)}` : "/dev/mailbox";

  return (
    <main className="mx-auto max-w-3xl px-4 py-10">
      <header className="mb-8 flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight">{t("title")}</h1>
          <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">
            {t("latest", { count: SHOWN })} {t("pending", { count: pending })}
          </p>
          {to && (
            <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">
              {t.rich("onlyTo", {
                to,
                strong: (chunks) => (
                  <strong dir="ltr" className="text-slate-900 dark:text-slate-100">
                    {chunks}
                  </strong>
                ),
              })}{" "}
              <a href="/dev/mailbox" className="text-indigo-700 underline hover:text-indigo-900 dark:text-indigo-400">
                {t("showAll")}
              </a>
            </p>
          )}
        </div>
        {/* A plain link: the page is rendered on every request, so following it reloads the list. */}
        <a
          href={here}
          className="rounded-lg border border-slate-300 px-3 py-1.5 text-sm font-medium hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-900"
        >
          {t("refresh")}
        </a>
      </header>

      {emails.length === 0 ? (
        <p className="rounded-lg border border-dashed border-slate-300 p-8 text-center text-slate-600 dark:border-slate-700 dark:text-slate-400">
          {t("empty")}
        </p>
      ) : (
        <ol className="flex flex-col gap-6">
          {emails.map((email) => (
            <li key={email.id}>
              <MessageCard email={email} />
            </li>
          ))}
        </ol>
      )}
    </main>
  );
}
