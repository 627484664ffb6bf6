import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

/**
 * The house rules that keep the layers apart (docs/decisions/005 and 013): checked on the source,
 * so a change that breaks one fails here with the files named.
 */

const root = path.resolve(import.meta.dirname, "..");
const SOURCE = /\.(ts|tsx|mts|mjs)$/;
const SKIPPED = new Set(["node_modules", ".next", "generated", "data", ".git"]);

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(path.join(root, dir), { withFileTypes: true })) {
    if (SKIPPED.has(entry.name)) continue;
    const relative = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(relative));
    else if (SOURCE.test(entry.name)) out.push(relative);
  }
  return out;
}

const files = ["app", "components", "lib", "scripts", "e2e"]
  .flatMap((dir) => sourceFiles(dir))
  .concat(["server.mjs", "instrumentation.ts", "proxy.ts"])
  // This file names what it looks for.
  .filter((f) => f !== "lib/architecture.test.ts");
const textOf = (file: string) => readFileSync(path.join(root, file), "utf8");
const inDataLayer = (file: string) => file.startsWith("lib/db/");
const isTest = (file: string) => /\.(test|spec)\.tsx?$/.test(file);
const filesWhere = (keep: (file: string) => boolean, pattern: RegExp) => files.filter((f) => keep(f) && pattern.test(textOf(f)));

describe("the data layer", () => {
  it("is the only way into the database: nothing outside lib/db imports its Prisma client or opens a Prisma transaction", () => {
    expect(filesWhere((f) => !inDataLayer(f), /lib\/db\/client["']|\$transaction\b|from ["']@prisma\/client/)).toEqual([]);
  });

  it("takes its handle first in every data function: none has a handle parameter elsewhere or a default one", () => {
    const late = /export async function \w+\([^)]*\b(client|tx|db)\??: (Tx|Executor|Db)\b[^)]*\)/;
    const offenders = files
      .filter((f) => inDataLayer(f) && !isTest(f))
      .flatMap((f) =>
        textOf(f)
          .split("\n")
          .filter((line) => late.test(line) && !/export async function \w+(<[^>]*>)?\(tx: Tx[,)]/.test(line))
          .map((line) => `${f}: ${line.trim()}`),
      );
    expect(offenders).toEqual([]);
  });
});

describe("the JSON API", () => {
  it("enters through its declarations, never through Next.js's build manifests or route module internals", () => {
    expect(filesWhere((f) => !isTest(f) && !f.startsWith("e2e/"), /-manifest\.json|routeModule|userland/)).toEqual([]);
  });
});

describe("the layers", () => {
  it("lib/http knows nothing of the services", () => {
    expect(filesWhere((f) => f.startsWith("lib/http/"), /from ["'](@\/lib\/auth|\.\.\/auth)/)).toEqual([]);
  });
});
