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

/**
 * A session's client in parts, for a page or a mail to word in its reader's language
 * (`wordDevice`, "Chrome sur macOS"): the browser and system are product names; an app's
 * `product` is what it calls itself in its user agent ("okhttp/4.12", "MyApp/2.1 (iOS)").
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

/** The `common` namespace's translator, or anything that words its `device.*` keys. */
export type DeviceWords = (
  key: `device.${"appNamed" | "appOnSystem" | "app" | "browserOnSystem" | "someBrowserOnSystem" | "unknownBrowser"}`,
  values?: Record<string, string>,
) => string;

/** A person's name for the device of a user agent: "Chrome on Windows", "App (okhttp)", in `t`'s language. */
export function wordDevice(t: DeviceWords, userAgent: string | null | undefined, kind: string): string {
  const device = deviceOf(userAgent, kind);
  if (device.kind === "app") {
    if (device.product) return t("device.appNamed", { product: device.product });
    return device.system ? t("device.appOnSystem", { system: device.system }) : t("device.app");
  }
  if (device.browser) return device.system ? t("device.browserOnSystem", { browser: device.browser, system: device.system }) : device.browser;
  return device.system ? t("device.someBrowserOnSystem", { system: device.system }) : t("device.unknownBrowser");
}
