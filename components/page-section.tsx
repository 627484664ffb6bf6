import type { ReactNode } from "react";

/** A card of a signed-in page, labelled by its heading (a region screen readers can jump to); `id` is its anchor (/profile#two-factor). */
export function PageSection({
  id,
  title,
  description,
  tone = "normal",
  children,
}: {
  id: string;
  title: string;
  description?: string;
  tone?: "normal" | "danger";
  children: ReactNode;
}) {
  return (
    <section
      id={id}
      aria-labelledby={`${id}-title`}
      className={`scroll-mt-6 rounded-2xl border bg-white px-5 py-6 shadow-sm sm:px-8 sm:py-7 dark:bg-slate-900 ${
        tone === "danger" ? "border-red-200 dark:border-red-900" : "border-slate-200 dark:border-slate-800"
      }`}
    >
      <h2 id={`${id}-title`} className={`text-lg font-semibold ${tone === "danger" ? "text-red-700 dark:text-red-400" : "text-slate-900 dark:text-white"}`}>
        {title}
      </h2>
      {description && <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">{description}</p>}
      <div className="mt-5">{children}</div>
    </section>
  );
}
