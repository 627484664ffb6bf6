import { useTranslations } from "next-intl";

/** "or" between the Google button and the form. */
export function OrDivider() {
  const t = useTranslations("common");
  return (
    <div className="my-6 flex items-center gap-3 text-xs font-medium tracking-wide text-slate-600 uppercase dark:text-slate-400">
      <span className="h-px flex-1 bg-slate-200 dark:bg-slate-800" aria-hidden="true" />
      {t("or")}
      <span className="h-px flex-1 bg-slate-200 dark:bg-slate-800" aria-hidden="true" />
    </div>
  );
}
