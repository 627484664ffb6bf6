import type { Metadata } from "next";
import Link from "next/link";
import { getFormatter, getTranslations } from "next-intl/server";
import { Badge } from "@/components/badge";
import { Notice } from "@/components/form-message";
import { PageSection } from "@/components/page-section";
import { first, type SearchParams } from "@/components/search-params";
import { SelectField } from "@/components/select-field";
import { buttonStyles, linkStyle, mutedText } from "@/components/styles";
import { TextField } from "@/components/text-field";
import { listUsers, roleChoices, SEARCH_MIN_LENGTH, type AccountStatus, type UserPage, type UserQuery } from "@/lib/admin/users";
import { isAppError } from "@/lib/errors";
import { wordIssue } from "@/lib/i18n/words";
import { requireAdminPage } from "@/lib/web/admin";
import { PageTitle } from "../page-title";
import { StatusBadge } from "./status-badge";

export const dynamic = "force-dynamic";

const STATUSES: readonly AccountStatus[] = ["verified", "unverified", "disabled"];
const PAGE_SIZE = 25;

export async function generateMetadata(): Promise<Metadata> {
  // Rendered beside the page: its title would tell a non-admin what the 404 hides.
  await requireAdminPage("/admin/users");
  const t = await getTranslations("adminUsers.list");
  return { title: t("title") };
}

/** The filters as the URL has them (a GET form: back and forward, and a shared link, keep them). */
function filtersOf(params: Record<string, string | string[] | undefined>) {
  const status = first(params.status);
  const twoFactor = first(params.two_factor);
  return {
    q: first(params.q).trim(),
    status: (STATUSES as readonly string[]).includes(status) ? (status as AccountStatus) : ("" as const),
    role: first(params.role),
    twoFactor: twoFactor === "on" || twoFactor === "off" ? twoFactor : ("" as const),
    cursor: first(params.cursor),
  };
}

type Filters = ReturnType<typeof filtersOf>;

/** This page's address with `filters` (the empty ones left out). */
function hrefOf({ q, status, role, twoFactor, cursor }: Filters): string {
  const query = new URLSearchParams(Object.entries({ q, status, role, two_factor: twoFactor, cursor }).filter(([, v]) => v));
  return query.size ? `/admin/users?${query}` : "/admin/users";
}

/** The accounts: a search box and filters (a GET form), the table, and its pages by the services' cursor. */
export default async function UsersPage({ searchParams }: { searchParams: SearchParams }) {
  const session = await requireAdminPage("/admin/users");
  const [params, t, format, errorWords, roles] = await Promise.all([
    searchParams,
    getTranslations("adminUsers"),
    getFormatter(),
    getTranslations("errors"),
    roleChoices(session),
  ]);
  const filters = filtersOf(params);
  const query: UserQuery = {
    search: filters.q || undefined,
    status: filters.status || undefined,
    role: filters.role || undefined,
    twoFactor: filters.twoFactor ? filters.twoFactor === "on" : undefined,
    cursor: filters.cursor || null,
    limit: PAGE_SIZE,
  };
  let page: UserPage | null = null;
  let fieldErrors: Record<string, string[]> = {};
  try {
    page = await listUsers(session, query);
  } catch (error) {
    if (!isAppError(error)) throw error;
    fieldErrors = error.byField("", (issue) => wordIssue(errorWords, issue));
  }
  const filtered = Boolean(filters.q || filters.status || filters.role || filters.twoFactor);
  const date = (value: Date) => format.dateTime(value, { dateStyle: "medium" });
  const column = (key: Parameters<typeof t>[0] & `list.column.${string}`) => t(key);

  return (
    <div className="flex flex-col gap-8">
      <PageTitle title={t("list.title")} intro={t("list.intro")} />
      {first(params.deleted) && (
        <div role="status">
          <Notice tone="success">{t("actions.delete.done")}</Notice>
        </div>
      )}
      <PageSection id="find" title={t("list.filtersTitle")}>
        <form method="get" action="/admin/users" role="search" aria-label={t("list.search")} className="flex flex-col gap-4">
          <div className="grid gap-x-4 gap-y-1 sm:grid-cols-2 lg:grid-cols-[minmax(0,2fr)_repeat(3,minmax(0,1fr))]">
            <TextField
              id="users-search"
              name="q"
              type="search"
              label={t("list.search")}
              hint={t("list.searchHint", { min: SEARCH_MIN_LENGTH })}
              defaultValue={filters.q}
              maxLength={200}
              autoComplete="off"
              spellCheck={false}
              error={fieldErrors.search?.join(" ")}
            />
            <SelectField id="users-status" name="status" label={t("list.status")} defaultValue={filters.status}>
              <option value="">{t("list.any")}</option>
              {STATUSES.map((status) => (
                <option key={status} value={status}>
                  {t(`status.${status}`)}
                </option>
              ))}
            </SelectField>
            <SelectField id="users-role" name="role" label={t("list.role")} defaultValue={filters.role} error={fieldErrors.role?.join(" ")}>
              <option value="">{t("list.any")}</option>
              {roles.map((role) => (
                <option key={role.id} value={role.name}>
                  {role.name}
                </option>
              ))}
            </SelectField>
            <SelectField id="users-two-factor" name="two_factor" label={t("list.twoFactor")} defaultValue={filters.twoFactor}>
              <option value="">{t("list.any")}</option>
              <option value="on">{t("list.on")}</option>
              <option value="off">{t("list.off")}</option>
            </SelectField>
          </div>
          <div className="flex flex-col gap-3 sm:flex-row sm:items-center">
            <button type="submit" className={`${buttonStyles.primary} w-full sm:w-auto`}>
              {t("list.apply")}
            </button>
            {filtered && (
              <Link href="/admin/users" className={`${linkStyle} self-center rounded text-sm`}>
                {t("list.clear")}
              </Link>
            )}
          </div>
        </form>
      </PageSection>

      <PageSection id="accounts" title={t("list.resultsTitle")}>
        {fieldErrors.cursor && <Notice tone="error">{fieldErrors.cursor.join(" ")}</Notice>}
        {page && page.users.length === 0 && <p className={`text-sm ${mutedText}`}>{filtered ? t("list.none") : t("list.noneYet")}</p>}
        {page && page.users.length > 0 && (
          // Nine columns do not fit a phone: the table scrolls inside its own box, never the page.
          <div role="region" aria-labelledby="accounts-caption" tabIndex={0} className="-mx-5 overflow-x-auto rounded sm:-mx-8">
            <table className="w-full min-w-[64rem] border-collapse text-left text-sm">
              <caption id="accounts-caption" className="sr-only">
                {t("list.caption")}
              </caption>
              <thead className="border-b border-slate-200 text-xs font-semibold tracking-wide text-slate-600 uppercase dark:border-slate-700 dark:text-slate-400">
                <tr>
                  {(["email", "name", "role", "status", "twoFactor", "passkeys", "google", "created", "lastSignIn"] as const).map((key) => (
                    <th
                      key={key}
                      scope="col"
                      className="px-3 py-2 first:sticky first:start-0 first:bg-white first:ps-5 last:pe-5 sm:first:ps-8 sm:last:pe-8 dark:first:bg-slate-900"
                    >
                      {column(`list.column.${key}`)}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-200 dark:divide-slate-800">
                {page.users.map((user) => (
                  <tr key={user.id} className="align-top text-slate-900 dark:text-slate-100">
                    {/* The e-mail stays in view while the other columns scroll under it. */}
                    <th scope="row" className="sticky start-0 max-w-44 bg-white px-3 py-3 ps-5 font-medium sm:max-w-72 sm:ps-8 dark:bg-slate-900">
                      <Link href={`/admin/users/${user.id}`} className={`${linkStyle} rounded wrap-anywhere`}>
                        <bdi dir="ltr">{user.email}</bdi>
                      </Link>
                    </th>
                    <td className="max-w-48 px-3 py-3 wrap-anywhere">{user.name ? <bdi>{user.name}</bdi> : <span className={mutedText}>{t("list.noName")}</span>}</td>
                    <td className="px-3 py-3">{user.role}</td>
                    <td className="px-3 py-3">
                      <StatusBadge user={user} words={(status) => t(`status.${status}`)} />
                    </td>
                    <td className="px-3 py-3">{user.twoFactor ? <Badge tone="green">{t("list.on")}</Badge> : t("list.off")}</td>
                    <td className="px-3 py-3 tabular-nums">{user.passkeys}</td>
                    <td className="px-3 py-3">{user.google ? t("list.linked") : t("list.notLinked")}</td>
                    <td className="px-3 py-3 whitespace-nowrap">{date(user.createdAt)}</td>
                    <td className="px-3 py-3 pe-5 whitespace-nowrap sm:pe-8">{user.lastLoginAt ? date(user.lastLoginAt) : <span className={mutedText}>{t("list.never")}</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {page && (filters.cursor || page.nextCursor) && (
          <nav aria-label={t("list.pagination")} className="mt-5 flex flex-wrap items-center justify-between gap-3">
            {filters.cursor ? (
              <Link href={hrefOf({ ...filters, cursor: "" })} className={buttonStyles.secondary}>
                {t("list.firstPage")}
              </Link>
            ) : (
              <span />
            )}
            {page.nextCursor && (
              <Link href={hrefOf({ ...filters, cursor: page.nextCursor })} rel="next" className={buttonStyles.secondary}>
                {t("list.nextPage")}
              </Link>
            )}
          </nav>
        )}
      </PageSection>
    </div>
  );
}
