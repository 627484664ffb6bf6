import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ENDPOINTS } from "./endpoints";
import { answerFromNext } from "./next-route";
import type { ApiEntry } from "./entry";

const holder = globalThis as { __authApi?: ApiEntry };

describe("the route files' handlers", () => {
  afterEach(() => delete holder.__authApi);

  it("answer with the entry offered at start-up, so one module instance serves both ways in", async () => {
    holder.__authApi = { answer: async () => new Response("offered"), isApiPath: () => true, endpoints: 0 };
    expect(await (await answerFromNext(new Request("http://localhost/auth/me/"))).text()).toBe("offered");
  });

  it("load their own entry when none is offered (development, tests)", async () => {
    const res = await answerFromNext(new Request("http://localhost/auth/no/such/path", { method: "OPTIONS" }));
    expect(res.status).toBe(404);
  });
});

/** The app's route files, with whether they hand their requests on to the entry. */
function routeFiles(dir: string): Array<{ file: string; handsOn: boolean }> {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return routeFiles(full);
    if (entry.name !== "route.ts") return [];
    return [{ file: path.relative(process.cwd(), full), handsOn: readFileSync(full, "utf8").includes('from "@/lib/api/next-route"') }];
  });
}

describe("route files", () => {
  // Next.js routes by folder: /auth/** needs one catch-all, and each other top-level path a folder of its own.
  it("exist for every declared path, one per top-level path, each handing its requests on to the entry", () => {
    const expected = new Set(ENDPOINTS.map((e) => (e.path.startsWith("/auth/") ? "app/auth/[[...path]]/route.ts" : `app${e.path}/route.ts`)));
    const handsOn = routeFiles(path.join(process.cwd(), "app")).filter((r) => r.handsOn);
    expect(handsOn.map((r) => r.file).sort()).toEqual([...expected].sort());
  });
});
