/**
 * A session's user agent as a person would name their device: "Chrome on Windows", "Safari on
 * iPhone". Order matters: Edge and Opera also say "Chrome", Chrome also says "Safari".
 */
const BROWSERS: [RegExp, string][] = [
  [/Edg(e|A|iOS)?\//, "Edge"],
  [/OPR\/|Opera/, "Opera"],
  [/SamsungBrowser\//, "Samsung Internet"],
  [/Firefox\/|FxiOS\//, "Firefox"],
  [/Chrome\/|CriOS\/|Chromium\//, "Chrome"],
  [/Version\/[\d.]+.*Safari\//, "Safari"],
];

const SYSTEMS: [RegExp, string][] = [
  [/iPhone/, "iPhone"],
  [/iPad/, "iPad"],
  [/Android/, "Android"],
  [/CrOS/, "ChromeOS"],
  [/Windows/, "Windows"],
  [/Mac OS X|Macintosh/, "macOS"],
  [/Linux/, "Linux"],
];

export function describeUserAgent(userAgent: string | null | undefined, kind: string): string {
  const ua = userAgent ?? "";
  const browser = BROWSERS.find(([re]) => re.test(ua))?.[1];
  const system = SYSTEMS.find(([re]) => re.test(ua))?.[1];
  if (kind !== "browser") {
    // API clients (apps) name themselves in the user agent, e.g. "okhttp/4.12" or "MyApp/2.1 (iOS)".
    const product = /^([A-Za-z][\w.-]*)\//.exec(ua)?.[1];
    return product && product !== "Mozilla" ? `App (${product})` : system ? `App on ${system}` : "App";
  }
  if (browser && system) return `${browser} on ${system}`;
  return browser ?? (system ? `Browser on ${system}` : "Unknown browser");
}

/**
 * The same reading in parts, for a page to word in its reader's language ("Chrome sur macOS"):
 * the browser and system are product names; an app's `product` is what it calls itself.
 */
export function deviceOf(
  userAgent: string | null | undefined,
  kind: string,
): { kind: "browser"; browser?: string; system?: string } | { kind: "app"; product?: string; system?: string } {
  const ua = userAgent ?? "";
  const system = SYSTEMS.find(([re]) => re.test(ua))?.[1];
  if (kind !== "browser") {
    const product = /^([A-Za-z][\w.-]*)\//.exec(ua)?.[1];
    return { kind: "app", product: product && product !== "Mozilla" ? product : undefined, system };
  }
  return { kind: "browser", browser: BROWSERS.find(([re]) => re.test(ua))?.[1], system };
}

/** "just now", "5 minutes ago", "yesterday", or a date for anything older than a week. */
export function describeWhen(iso: string, now: Date): string {
  const then = new Date(iso);
  const seconds = Math.round((now.getTime() - then.getTime()) / 1000);
  if (seconds < 60) return "just now";
  const rtf = new Intl.RelativeTimeFormat("en", { numeric: "auto" });
  if (seconds < 3600) return rtf.format(-Math.floor(seconds / 60), "minute");
  if (seconds < 86_400) return rtf.format(-Math.floor(seconds / 3600), "hour");
  if (seconds < 7 * 86_400) return rtf.format(-Math.floor(seconds / 86_400), "day");
  return new Intl.DateTimeFormat("en", { dateStyle: "medium", timeZone: "UTC" }).format(then);
}
