import type { Metadata } from "next";
import Link from "next/link";
import { getLocale, getTranslations } from "next-intl/server";
import { PageSection } from "@/components/page-section";
import { dailyStats, type DailyStats } from "@/lib/admin/stats";
import { requireAdminPage } from "@/lib/web/admin";
import { DayChart } from "./day-chart";
import { PageTitle } from "./page-title";

export const dynamic = "force-dynamic";

export async function generateMetadata(): Promise<Metadata> {
  // Rendered beside the page: its title would tell a non-admin what the 404 hides.
  await requireAdminPage("/admin");
  const t = await getTranslations("admin.overview");
  return { title: t("title") };
}

const DAYS = 30;
const TOTALS = ["signups", "verified", "logins", "failedLogins", "rateLimited", "users"] as const satisfies ReadonlyArray<keyof DailyStats["totals"]>;

/** The console's home, the dashboard: the last 30 days in figures and a chart, then its sections. */
export default async function DashboardPage() {
  const session = await requireAdminPage("/admin");
  const [stats, t, tAdmin, locale] = await Promise.all([dailyStats(session, DAYS), getTranslations("adminAudit.dashboard"), getTranslations("admin"), getLocale()]);
  const number = new Intl.NumberFormat(locale);
  const longDay = (date: string) => new Date(`${date}T00:00:00Z`).toLocaleDateString(locale, { day: "numeric", month: "long", timeZone: "UTC" });
  const sections = [
    { href: "/admin/audit", title: tAdmin("layout.audit"), description: t("auditDescription") },
    { href: "/admin/apps", title: tAdmin("layout.apps"), description: t("appsDescription") },
  ];
  return (
    <div className="flex flex-col gap-8">
      <PageTitle title={tAdmin("overview.title")} intro={t("intro")} />
      <PageSection id="totals" title={t("totalsTitle")} description={t("totalsDescription")}>
        <dl className="grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-6">
          {TOTALS.map((figure) => (
            <div key={figure} className="flex flex-col-reverse justify-end gap-1 rounded-xl border border-slate-200 px-4 py-3 dark:border-slate-800">
              <dt className="text-sm text-slate-600 dark:text-slate-400">{t(figure)}</dt>
              <dd className="text-2xl font-semibold tabular-nums text-slate-900 dark:text-white">{number.format(stats.totals[figure])}</dd>
            </div>
          ))}
        </dl>
      </PageSection>
      <PageSection id="per-day" title={t("chartTitle")}>
        <DayChart
          days={stats.days}
          locale={locale}
          words={{
            summary: t("chartSummary", {
              from: longDay(stats.days[0]!.date),
              to: longDay(stats.days.at(-1)!.date),
              signups: stats.totals.signups,
              logins: stats.totals.logins,
              peak: Math.max(...stats.days.map((d) => d.logins)),
            }),
            signups: t("signups"),
            logins: t("logins"),
            day: t("day"),
            tableToggle: t("tableToggle"),
            tableCaption: t("tableCaption"),
          }}
        />
      </PageSection>
      <section aria-labelledby="sections-title" className="flex flex-col gap-4">
        <h2 id="sections-title" className="text-lg font-semibold text-slate-900 dark:text-white">{t("sectionsTitle")}</h2>
        <ul className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
          {sections.map((section) => (
            <li key={section.href}>
              <Link
                href={section.href}
                className="group flex h-full flex-col gap-1 rounded-2xl border border-slate-200 bg-white px-5 py-5 shadow-sm transition-colors hover:border-indigo-300 dark:border-slate-800 dark:bg-slate-900 dark:hover:border-indigo-700"
              >
                <h3 className="text-lg font-semibold text-indigo-700 group-hover:underline dark:text-indigo-300">{section.title}</h3>
                <p className="text-sm text-slate-600 dark:text-slate-400">{section.description}</p>
              </Link>
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}
