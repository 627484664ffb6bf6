import type { DailyStats } from "@/lib/admin/stats";

export interface DayChartWords {
  /** What a screen reader hears for the whole chart (role="img"). */
  summary: string;
  signups: string;
  logins: string;
  day: string;
  tableToggle: string;
  tableCaption: string;
}

const CHART_HEIGHT = 100;
/** Each day is a slot of this width holding its two bars; the SVG stretches the slots to the card's width. */
const SLOT = 10;

/** A round scale top at or above `peak` (1, 2, 5 × 10ⁿ), so the axis reads in plain numbers. */
function scaleTop(peak: number): number {
  if (peak <= 4) return 4;
  const power = 10 ** Math.floor(Math.log10(peak));
  return ([1, 2, 5, 10].map((step) => step * power).find((top) => top >= peak) ?? peak);
}

/**
 * Sign-ups and sign-ins per day as two bars a day, drawn as one inline SVG (no chart library): it
 * is one image to assistive technology, summarised in words, with the same figures as a table
 * under it. The axis labels are HTML beside the SVG so they stay readable at any width.
 */
export function DayChart({ days, words, locale }: { days: DailyStats["days"]; words: DayChartWords; locale: string }) {
  const top = scaleTop(Math.max(...days.map((d) => Math.max(d.signups, d.logins)), 0));
  const width = days.length * SLOT;
  const y = (n: number) => CHART_HEIGHT - (n / top) * CHART_HEIGHT;
  const dayLabel = (date: string) => new Date(`${date}T00:00:00Z`).toLocaleDateString(locale, { day: "numeric", month: "short", timeZone: "UTC" });
  const number = new Intl.NumberFormat(locale);
  return (
    <div className="flex flex-col gap-4">
      <ul className="flex flex-wrap gap-x-5 gap-y-1 text-sm text-slate-700 dark:text-slate-300">
        <li className="flex items-center gap-2">
          <span aria-hidden="true" className="size-3 rounded-sm bg-indigo-600 dark:bg-indigo-400" />
          {words.signups}
        </li>
        <li className="flex items-center gap-2">
          <span aria-hidden="true" className="size-3 rounded-sm bg-teal-600 dark:bg-teal-400" />
          {words.logins}
        </li>
      </ul>
      {/* Time runs left to right in every language, as the dates under it do. */}
      <div dir="ltr" className="flex gap-2">
        <div aria-hidden="true" className="flex h-48 flex-col justify-between text-end text-xs tabular-nums text-slate-600 dark:text-slate-400">
          <span className="-translate-y-1/2">{number.format(top)}</span>
          <span>{number.format(top / 2)}</span>
          <span className="translate-y-1/2">0</span>
        </div>
        <div className="min-w-0 flex-1">
          <svg
            role="img"
            aria-label={words.summary}
            viewBox={`0 0 ${width} ${CHART_HEIGHT}`}
            preserveAspectRatio="none"
            className="block h-48 w-full overflow-visible"
          >
            <title>{words.summary}</title>
            {[0, 0.5, 1].map((f) => (
              <line
                key={f}
                x1={0}
                x2={width}
                y1={CHART_HEIGHT * f}
                y2={CHART_HEIGHT * f}
                vectorEffect="non-scaling-stroke"
                className="stroke-slate-200 dark:stroke-slate-700"
                strokeWidth={1}
              />
            ))}
            {days.map((d, i) => (
              <g key={d.date}>
                <rect x={i * SLOT + 1} width={SLOT / 2 - 1} y={y(d.signups)} height={CHART_HEIGHT - y(d.signups)} className="fill-indigo-600 dark:fill-indigo-400" />
                <rect x={i * SLOT + SLOT / 2} width={SLOT / 2 - 1} y={y(d.logins)} height={CHART_HEIGHT - y(d.logins)} className="fill-teal-600 dark:fill-teal-400" />
              </g>
            ))}
          </svg>
          <div aria-hidden="true" className="mt-1 flex justify-between text-xs text-slate-600 dark:text-slate-400">
            <span>{dayLabel(days[0]!.date)}</span>
            <span>{dayLabel(days[Math.floor(days.length / 2)]!.date)}</span>
            <span>{dayLabel(days.at(-1)!.date)}</span>
          </div>
        </div>
      </div>
      <details className="group text-sm">
        <summary className="cursor-pointer rounded font-semibold text-indigo-700 underline-offset-4 hover:underline dark:text-indigo-300">{words.tableToggle}</summary>
        <div className="mt-3 max-w-lg overflow-hidden rounded-lg border border-slate-200 dark:border-slate-800">
          <table className="w-full text-start text-sm">
            <caption className="sr-only">{words.tableCaption}</caption>
            <thead className="bg-slate-50 text-slate-700 dark:bg-slate-800 dark:text-slate-200">
              <tr>
                <th scope="col" className="px-3 py-2 text-start font-semibold">{words.day}</th>
                <th scope="col" className="px-3 py-2 text-end font-semibold">{words.signups}</th>
                <th scope="col" className="px-3 py-2 text-end font-semibold">{words.logins}</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-200 text-slate-800 dark:divide-slate-800 dark:text-slate-200">
              {days.map((d) => (
                <tr key={d.date}>
                  <th scope="row" className="px-3 py-1.5 text-start font-normal">
                    <time dateTime={d.date}>{dayLabel(d.date)}</time>
                  </th>
                  <td className="px-3 py-1.5 text-end tabular-nums">{number.format(d.signups)}</td>
                  <td className="px-3 py-1.5 text-end tabular-nums">{number.format(d.logins)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </div>
  );
}
