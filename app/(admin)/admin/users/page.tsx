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
import { DEFAULT_USER_SORT, listUsers, roleChoices, SEARCH_MIN_LENGTH, USER_SORTS, type AccountStatus, type UserPage, type UserQuery, type UserSort } from "@/lib/admin/users";
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
  const sort = first(params.sort);
  return {
    q: first(params.q).trim(),
    status: (STATUSES as readonly string[]).includes(status) ? (status as AccountStatus) : ("" as const),
    role: first(params.role),
    twoFactor: twoFactor === "on" || twoFactor === "off" ? twoFactor : ("" as const),
    // An order the list does not know is the default one.
    sort: (USER_SORTS as readonly string[]).includes(sort) ? (sort as UserSort) : DEFAULT_USER_SORT,
    cursor: first(params.cursor),
  };
}

type Filters = ReturnType<typeof filtersOf>;

/** This page's address with `filters` (the empty ones, and the default order, left out). */
function hrefOf({ q, status, role, twoFactor, sort, cursor }: Filters): string {
  const query = new URLSearchParams(
    Object.entries({ q, status, role, two_factor: twoFactor, sort: sort === DEFAULT_USER_SORT ? "" : sort, cursor }).filter(([, v]) => v),
  );
  return query.size ? `/admin/users?${query}` : "/admin/users";
}

/** The columns the list can be sorted by, the order each is sorted in first, and the caption of each order. */
const SORTABLE = { email: { key: "email", first: "email" }, created: { key: "created", first: "-created" }, lastSignIn: { key: "last_login", first: "-last_login" } } as const;
const CAPTION: Record<UserSort, "newest" | "oldest" | "emailAsc" | "emailDesc" | "loginLatest" | "loginEarliest"> = {
  "-created": "newest",
  created: "oldest",
  email: "emailAsc",
  "-email": "emailDesc",
  "-last_login": "loginLatest",
  last_login: "loginEarliest",
};
const isSortable = (column: string): column is keyof typeof SORTABLE => Object.hasOwn(SORTABLE, column);

/** A column's header state: its aria-sort, and the order its link asks for (the other direction when it is the current one). */
function sortOf(column: keyof typeof SORTABLE, current: UserSort) {
  const { key, first } = SORTABLE[column];
  const active = current.replace(/^-/, "") === key;
  const descending = current.startsWith("-");
  return {
    ariaSort: active ? (descending ? ("descending" as const) : ("ascending" as const)) : undefined,
    next: (active ? (descending ? key : `-${key}`) : first) as UserSort,
  };
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
    sort: filters.sort,
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
          {/* New filters keep the order, and start from its first page. */}
          {filters.sort !== DEFAULT_USER_SORT && <input type="hidden" name="sort" value={filters.sort} />}
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
                {t(`list.caption.${CAPTION[filters.sort]}`)}
              </caption>
              <thead className="border-b border-slate-200 text-xs font-semibold tracking-wide text-slate-600 uppercase dark:border-slate-700 dark:text-slate-400">
                <tr>
                  {(["email", "name", "role", "status", "twoFactor", "passkeys", "google", "created", "lastSignIn"] as const).map((key) => {
                    const sorting = isSortable(key) ? sortOf(key, filters.sort) : null;
                    return (
                      <th
                        key={key}
                        scope="col"
                        aria-sort={sorting?.ariaSort}
                        className="px-3 py-2 whitespace-nowrap first:sticky first:start-0 first:bg-white first:ps-5 last:pe-5 sm:first:ps-8 sm:last:pe-8 dark:first:bg-slate-900"
                      >
                        {sorting ? (
                          // A link, not a button: the order is in the address, so back and forward keep it.
                          <Link href={hrefOf({ ...filters, sort: sorting.next, cursor: "" })} className={`${linkStyle} inline-flex items-center gap-1 rounded uppercase`}>
                            {column(`list.column.${key}`)}
                            <span aria-hidden="true" className={sorting.ariaSort ? "" : "opacity-40"}>
                              {sorting.ariaSort === "ascending" ? "▲" : sorting.ariaSort === "descending" ? "▼" : "↕"}
                            </span>
                          </Link>
                        ) : (
                          column(`list.column.${key}`)
                        )}
                      </th>
                    );
                  })}
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
