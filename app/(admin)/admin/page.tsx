import type { Metadata } from "next";
import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { requireAdminPage } from "@/lib/web/admin";
import { PageTitle } from "./page-title";

export const dynamic = "force-dynamic";

export async function generateMetadata(): Promise<Metadata> {
  // Rendered beside the page: its title would tell a non-admin what the 404 hides.
  await requireAdminPage("/admin");
  const t = await getTranslations("admin.overview");
  return { title: t("title") };
}

/** The console's home: its sections, each with what it is for. */
export default async function ConsolePage() {
  await requireAdminPage("/admin");
  const t = await getTranslations("admin");
  const sections = [{ href: "/admin/apps", title: t("layout.apps"), description: t("overview.appsDescription") }];
  return (
    <div className="flex flex-col gap-8">
      <PageTitle title={t("overview.title")} intro={t("overview.intro")} />
      <ul className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
        {sections.map((section) => (
          <li key={section.href}>
            <Link
              href={section.href}
              className="group flex h-full flex-col gap-1 rounded-2xl border border-slate-200 bg-white px-5 py-5 shadow-sm transition-colors hover:border-indigo-300 dark:border-slate-800 dark:bg-slate-900 dark:hover:border-indigo-700"
            >
              <h2 className="text-lg font-semibold text-indigo-700 group-hover:underline dark:text-indigo-300">{section.title}</h2>
              <p className="text-sm text-slate-600 dark:text-slate-400">{section.description}</p>
            </Link>
          </li>
        ))}
      </ul>
    </div>
  );
}
