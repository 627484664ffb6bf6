import type { ReactNode } from "react";

/**
 * The card every signed-out page sits in: a heading, an optional line under it, the content, and
 * an optional footer (links to the other pages).
 */
export function AuthCard({
  title,
  description,
  children,
  footer,
}: {
  title: string;
  description?: ReactNode;
  children: ReactNode;
  footer?: ReactNode;
}) {
  return (
    <section
      aria-labelledby="auth-card-title"
      className="w-full rounded-2xl border border-slate-200 bg-white px-5 py-7 shadow-sm sm:px-8 sm:py-9 dark:border-slate-800 dark:bg-slate-900"
    >
      <header className="mb-6">
        <h1 id="auth-card-title" className="text-2xl font-semibold tracking-tight text-slate-900 dark:text-white">
          {title}
        </h1>
        {description && <div className="mt-2 text-sm leading-6 text-slate-600 dark:text-slate-400">{description}</div>}
      </header>
      {children}
      {footer && (
        <footer className="mt-7 border-t border-slate-200 pt-5 text-center text-sm text-slate-600 dark:border-slate-800 dark:text-slate-400">
          {footer}
        </footer>
      )}
    </section>
  );
}
