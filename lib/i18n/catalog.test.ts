import { readFileSync } from "node:fs";
import path from "node:path";
import { parse, TYPE, type MessageFormatElement } from "@formatjs/icu-messageformat-parser";
import { describe, expect, it } from "vitest";
import { MESSAGES } from "@/lib/messages";
import { NAMESPACES, translator, type Namespace } from "./catalog";
import { LOCALES, type Locale } from "./locales";

// The catalogs as files, so that a missing file or key fails here, not on a page.
const catalog = (locale: Locale, namespace: Namespace): Record<string, unknown> =>
  JSON.parse(readFileSync(path.join(import.meta.dirname, "messages", locale, `${namespace}.json`), "utf8"));

/** Every message of a catalog by its dotted key. */
function flatten(value: Record<string, unknown>, prefix = ""): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, v] of Object.entries(value)) {
    const dotted = prefix ? `${prefix}.${key}` : key;
    if (typeof v === "string") out.set(dotted, v);
    else if (v && typeof v === "object") for (const [k, s] of flatten(v as Record<string, unknown>, dotted)) out.set(k, s);
    else throw new Error(`${dotted}: neither a message nor a group`);
  }
  return out;
}

/** The names a message interpolates ({email}, {count, plural, …}, <link>…</link>), sorted. */
function argumentsOf(message: string): string[] {
  const names = new Set<string>();
  const walk = (elements: MessageFormatElement[]) => {
    for (const e of elements) {
      if (e.type === TYPE.argument || e.type === TYPE.number || e.type === TYPE.date || e.type === TYPE.time) names.add(e.value);
      if (e.type === TYPE.plural || e.type === TYPE.select) {
        names.add(e.value);
        for (const option of Object.values(e.options)) walk(option.value);
      }
      if (e.type === TYPE.tag) {
        names.add(`<${e.value}>`);
        walk(e.children);
      }
    }
  };
  walk(parse(message));
  return [...names].sort();
}

describe("the translations", () => {
  for (const namespace of NAMESPACES) {
    const english = flatten(catalog("en", namespace));
    for (const locale of LOCALES.filter((l) => l !== "en")) {
      it(`${locale}/${namespace} has every English key, no other, with the same arguments`, () => {
        const translated = flatten(catalog(locale, namespace));
        expect([...translated.keys()].sort()).toEqual([...english.keys()].sort());
        for (const [key, message] of translated) {
          expect({ key, arguments: argumentsOf(message) }).toEqual({ key, arguments: argumentsOf(english.get(key)!) });
        }
      });
    }
  }

  it("words every message code of the service for the pages", () => {
    const words = catalog("en", "errors");
    expect(Object.keys(MESSAGES).filter((code) => !(code in words))).toEqual([]);
  });

  it("never speaks the legacy API's dialect on a page or in a mail", () => {
    for (const locale of LOCALES) {
      for (const namespace of NAMESPACES) {
        for (const [key, message] of flatten(catalog(locale, namespace))) {
          expect({ key, message }).not.toMatchObject({ message: expect.stringMatching(/Invaild|register with us|doesn't exists|\bOTP\b|Password mismatch/) });
        }
      }
    }
  });

  it("makes one translator per language and area, so that a message is parsed once per process", async () => {
    const first = await translator("en", "mail");
    expect(await translator("en", "mail")).toBe(first);
    expect(await translator("en", "auth")).not.toBe(first);
    expect(first("verification.subject", { appName: "App" })).toContain("App");
  });
});
