import type { Metadata } from "next";
import Link from "next/link";
import { getLocale, getTranslations } from "next-intl/server";
import { Notice } from "@/components/form-message";
import { PageSection } from "@/components/page-section";
import type { SearchParams } from "@/components/search-params";
import { buttonStyles, linkStyle } from "@/components/styles";
import { TextField } from "@/components/text-field";
import { listAudit, type AuditPage } from "@/lib/admin/audit";
import { ValidationError } from "@/lib/errors";
import { requireAdminPage } from "@/lib/web/admin";
import { EventType, eventTypeWords } from "../event-type";
import { PageTitle } from "../page-title";
import { filterQuery, readAuditFilters } from "./filters";

export const dynamic = "force-dynamic";

export async function generateMetadata(): Promise<Metadata> {
  // Rendered beside the page: its title would tell a non-admin what the 404 hides.
  await requireAdminPage("/admin/audit");
  const t = await getTranslations("adminAudit.audit");
  return { title: t("title") };
}

/** A date-time input shows "YYYY-MM-DDTHH:mm" (UTC here); a time it cannot show is left as written. */
const inputTime = (raw: string, at: Date | undefined) => (at ? at.toISOString().slice(0, 16) : raw);

/** The audit log: filters in the URL (a GET form), a page of events newest first, the next page by its cursor, and the CSV of them all. */
export default async function AuditPage({ searchParams }: { searchParams: SearchParams }) {
  const session = await requireAdminPage("/admin/audit");
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(await searchParams)) if (typeof value === "string") params.set(key, value);
  const filters = readAuditFilters(params);
  const [t, locale, wordsOf] = await Promise.all([getTranslations("adminAudit.audit"), getLocale(), eventTypeWords()]);

  let page: AuditPage | null = null;
  const invalid = new Set(filters.invalid);
  if (filters.query) {
    try {
      page = await listAudit(session, filters.query);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      for (const issue of error.issues) if (issue.field === "cursor") invalid.add("cursor");
      if (!invalid.size) throw error;
    }
  }
  const fieldError = (field: "user" | "type" | "since" | "until") =>
    !invalid.has(field) ? undefined : field === "user" ? t("badUser") : field === "type" ? t("badType") : t("badTime", { value: filters.raw[field] });
  const time = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "medium", timeZone: "UTC" });

  return (
    <div className="flex flex-col gap-8">
      <PageTitle title={t("title")} intro={t("intro")} />
      <PageSection id="filters" title={t("filtersTitle")}>
        <form method="get" action="/admin/audit" className="flex flex-col gap-4">
          <div className="grid gap-x-4 gap-y-2 sm:grid-cols-2 lg:grid-cols-4">
            <TextField label={t("user")} name="user" inputMode="numeric" defaultValue={filters.raw.user} error={fieldError("user")} />
            <TextField label={t("type")} name="type" defaultValue={filters.raw.type} hint={t("typeHint")} error={fieldError("type")} autoComplete="off" spellCheck={false} />
            <TextField label={t("since")} name="since" type="datetime-local" step={1} defaultValue={inputTime(filters.raw.since, filters.query?.since)} error={fieldError("since")} />
            <TextField label={t("until")} name="until" type="datetime-local" step={1} defaultValue={inputTime(filters.raw.until, filters.query?.until)} error={fieldError("until")} />
          </div>
          <div className="flex flex-wrap items-center gap-x-5 gap-y-3">
            <button type="submit" className={buttonStyles.primary}>
              {t("apply")}
            </button>
            <Link href="/admin/audit" className={`${linkStyle} rounded text-sm`}>
              {t("clear")}
            </Link>
          </div>
        </form>
      </PageSection>

      <PageSection id="events" title={t("eventsTitle")}>
        {invalid.has("cursor") && (
          <Notice tone="error">
            {t("badCursor")}{" "}
            <Link href={`/admin/audit${filterQuery(filters.raw)}`} className={`${linkStyle} rounded`}>
              {t("first")}
            </Link>
          </Notice>
        )}
        {!page && !invalid.has("cursor") && <p className="text-sm text-slate-700 dark:text-slate-300">{t("fixFilters")}</p>}
        {page && (
          <div className="flex flex-col gap-5">
            <div className="flex flex-wrap items-center gap-x-4 gap-y-2">
              {/* A plain link: the file comes from a route handler, with the browser's session. */}
              <a href={`/admin/audit/export${filterQuery(filters.raw)}`} download className={buttonStyles.secondary} aria-describedby="export-hint">
                {t("exportCsv")}
              </a>
              <p id="export-hint" className="text-sm text-slate-600 dark:text-slate-400">
                {t("exportHint")}
              </p>
            </div>
            {page.events.length === 0 ? (
              <p className="text-sm text-slate-700 dark:text-slate-300">{t("none")}</p>
            ) : (
              <>
                <EventList page={page} t={t} time={time} wordsOf={wordsOf} />
                <EventTable page={page} t={t} time={time} wordsOf={wordsOf} />
              </>
            )}
            {(page.nextCursor || filters.raw.cursor) && (
              <nav aria-label={t("eventsTitle")} className="flex flex-wrap justify-between gap-3">
                {filters.raw.cursor ? (
                  <Link href={`/admin/audit${filterQuery(filters.raw)}`} className={buttonStyles.secondary}>
                    {t("first")}
                  </Link>
                ) : (
                  <span />
                )}
                {page.nextCursor && (
                  <Link href={`/admin/audit${filterQuery(filters.raw, page.nextCursor)}`} className={buttonStyles.secondary} rel="next">
                    {t("next")}
                  </Link>
                )}
              </nav>
            )}
          </div>
        )}
      </PageSection>
    </div>
  );
}

type Words = Awaited<ReturnType<typeof getTranslations<"adminAudit.audit">>>;

/**
 * The events as a table, scrolled sideways on a narrow screen (by keyboard too: the region takes
 * focus). Addresses, browsers and details are Latin machine text: left to right in every language.
 */
type EventWords = (type: string) => string | null;

function EventTable({ page, t, time, wordsOf }: { page: AuditPage; t: Words; time: Intl.DateTimeFormat; wordsOf: EventWords }) {
  const head = "px-3 py-2 text-start font-semibold whitespace-nowrap";
  const cell = "px-3 py-2 align-top";
  return (
    <div role="region" aria-labelledby="events-title" tabIndex={0} className="hidden overflow-x-auto sm:block rounded-lg border border-slate-200 focus-visible:outline-2 focus-visible:outline-indigo-600 dark:border-slate-800">
      <table className="w-full min-w-[56rem] text-sm">
        <thead className="bg-slate-50 text-slate-700 dark:bg-slate-800 dark:text-slate-200">
          <tr>
            <th scope="col" className={head}>{t("at")}</th>
            <th scope="col" className={head}>{t("type")}</th>
            <th scope="col" className={head}>{t("userColumn")}</th>
            <th scope="col" className={head}>{t("actor")}</th>
            <th scope="col" className={head}>{t("ip")}</th>
            <th scope="col" className={head}>{t("userAgent")}</th>
            <th scope="col" className={head}>{t("details")}</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-200 text-slate-800 dark:divide-slate-800 dark:text-slate-200">
          {page.events.map((event) => (
            <tr key={event.id} data-event-type={event.type}>
              <td className={`${cell} whitespace-nowrap tabular-nums`}>
                <time dateTime={event.at.toISOString()}>{time.format(event.at)}</time>
              </td>
              <td className={cell}>
                <EventType type={event.type} words={wordsOf(event.type)} />
              </td>
              <td className={cell}><UserLink id={event.userId} email={event.userEmail} t={t} /></td>
              <td className={cell}><UserLink id={event.actorId} email={event.actorEmail} t={t} /></td>
              <td dir="ltr" className={`${cell} text-start font-mono text-xs whitespace-nowrap`}>{event.ip ?? t("nobody")}</td>
              <td dir="ltr" className={`${cell} max-w-64 text-start text-xs break-words text-slate-600 dark:text-slate-400`}>{event.userAgent ?? t("nobody")}</td>
              <td dir="ltr" className={`${cell} max-w-72 text-start font-mono text-xs break-words`}>{event.details ? detailsText(event.details) : t("nobody")}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The events on a phone: one card each, every field under its name, rather than a table to scroll sideways. */
function EventList({ page, t, time, wordsOf }: { page: AuditPage; t: Words; time: Intl.DateTimeFormat; wordsOf: EventWords }) {
  const term = "text-xs text-slate-600 dark:text-slate-400";
  const machine = "text-start font-mono text-xs break-words";
  return (
    <ul className="flex flex-col gap-3 sm:hidden">
      {page.events.map((event) => (
        <li key={event.id} className="rounded-lg border border-slate-200 px-4 py-3 text-sm text-slate-800 dark:border-slate-800 dark:text-slate-200">
          <div className="flex flex-wrap items-baseline justify-between gap-x-3 gap-y-1">
            <EventType type={event.type} words={wordsOf(event.type)} />
            <time dateTime={event.at.toISOString()} className="tabular-nums">{time.format(event.at)}</time>
          </div>
          <dl className="mt-2 grid grid-cols-[auto_1fr] gap-x-3 gap-y-1">
            <dt className={term}>{t("userColumn")}</dt>
            <dd><UserLink id={event.userId} email={event.userEmail} t={t} /></dd>
            {event.actorId !== null && (
              <>
                <dt className={term}>{t("actor")}</dt>
                <dd><UserLink id={event.actorId} email={event.actorEmail} t={t} /></dd>
              </>
            )}
            {event.ip && (
              <>
                <dt className={term}>{t("ip")}</dt>
                <dd dir="ltr" className={machine}>{event.ip}</dd>
              </>
            )}
            {event.userAgent && (
              <>
                <dt className={term}>{t("userAgent")}</dt>
                <dd dir="ltr" className={`${machine} font-sans text-slate-600 dark:text-slate-400`}>{event.userAgent}</dd>
              </>
            )}
            {event.details && (
              <>
                <dt className={term}>{t("details")}</dt>
                <dd dir="ltr" className={machine}>{detailsText(event.details)}</dd>
              </>
            )}
          </dl>
        </li>
      ))}
    </ul>
  );
}

/** A link to the account's page, named by its address; its number alone once the account is gone; a dash for no one. */
function UserLink({ id, email, t }: { id: number | null; email: string | null; t: Words }) {
  if (id === null) return <span className="text-slate-500 dark:text-slate-400">{t("nobody")}</span>;
  if (email === null) return <span className="whitespace-nowrap text-slate-600 dark:text-slate-400">{t("userLink", { id })}</span>;
  return (
    // No prefetch: a page of 50 events would fetch 50 user pages no one asked for.
    <Link href={`/admin/users/${id}`} prefetch={false} title={t("userLink", { id })} className={`${linkStyle} rounded`}>
      <bdi dir="ltr">
        {/* A narrow column breaks an address before its @ and nowhere else (the table scrolls sideways). */}
        <span className="whitespace-nowrap">{email.slice(0, email.lastIndexOf("@"))}</span>
        <wbr />
        <span className="whitespace-nowrap">{email.slice(email.lastIndexOf("@"))}</span>
      </bdi>
    </Link>
  );
}

/** "key: value" pairs, one after another, as the row has room for them. */
const detailsText = (details: Record<string, unknown>) =>
  Object.entries(details)
    .map(([key, value]) => `${key}: ${typeof value === "string" ? value : JSON.stringify(value)}`)
    .join(", ");
