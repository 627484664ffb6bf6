import { describe, expect, it } from "vitest";
import { localeOf, negotiateLocale } from "./negotiate";

describe("negotiateLocale", () => {
  it("takes the browser's most wanted language the service speaks, a region falling back to its language", () => {
    expect(negotiateLocale("de-CH,de;q=0.9,en;q=0.8")).toBe("de");
    expect(negotiateLocale("pt-BR")).toBe("pt");
    expect(negotiateLocale("ar-EG,ar;q=0.9")).toBe("ar");
    expect(negotiateLocale("ja;q=1,es;q=0.5")).toBe("es");
    expect(negotiateLocale("fr;q=0,de")).toBe("de");
  });

  it("answers null for a header that names none of them, and never throws on a malformed one", () => {
    for (const header of [null, undefined, "", "*", "zh-CN", "x-!!", ";;;,q=", "\u0000", "a".repeat(10_000)]) {
      expect(negotiateLocale(header)).toBeNull();
    }
    expect(negotiateLocale("x-!!,fr")).toBe("fr");
  });
});

describe("localeOf", () => {
  it("prefers the account's choice, then the request's, then the default; a choice no longer offered counts as none", () => {
    expect(localeOf("fr", "de", "en")).toBe("fr");
    expect(localeOf(null, "de", "en")).toBe("de");
    expect(localeOf(null, null, "es")).toBe("es");
    expect(localeOf("tlh", null, "en")).toBe("en");
  });
});
