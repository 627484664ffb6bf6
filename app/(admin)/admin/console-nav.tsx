"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

/** Whether `href` is the section of `pathname`: the console's home only itself, another section its pages too. */
const isSectionOf = (pathname: string, href: string) => pathname === href || (href !== "/admin" && pathname.startsWith(`${href}/`));

/** The console's sections, the current one marked (aria-current); scrolls sideways when they outgrow a phone. */
export function ConsoleNav({ label, sections }: { label: string; sections: { href: string; label: string }[] }) {
  const pathname = usePathname();
  return (
    <nav aria-label={label} className="mx-auto max-w-6xl px-2 sm:px-4">
      <ul className="flex gap-1 overflow-x-auto">
        {sections.map(({ href, label: name }) => {
          const current = isSectionOf(pathname, href);
          return (
            <li key={href} className="shrink-0">
              <Link
                href={href}
                aria-current={current ? "page" : undefined}
                // The outline inside the link: the list's overflow would cut one drawn outside.
                className={`inline-flex min-h-11 items-center border-b-2 px-3 text-sm font-medium whitespace-nowrap focus-visible:-outline-offset-2 ${
                  current
                    ? "border-indigo-600 text-indigo-700 dark:border-indigo-400 dark:text-indigo-300"
                    : "border-transparent text-slate-600 hover:border-slate-300 hover:text-slate-900 dark:text-slate-400 dark:hover:border-slate-600 dark:hover:text-white"
                }`}
              >
                {name}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
