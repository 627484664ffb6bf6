import Database from "better-sqlite3";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { migrateOnThread } from "./startup";

describe("start-up's migrations, on a thread of their own", () => {
  it("bring a new database up to date, then find nothing to do", async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "migrate-thread-")), "auth.db");
    const applied = await migrateOnThread(`file:${file}`);
    expect(applied.length).toBeGreaterThan(0);
    const db = new Database(file, { readonly: true });
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[];
    db.close();
    expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(["User", "Session", "OutboxEmail"]));
    await expect(migrateOnThread(`file:${file}`)).resolves.toEqual([]);
  });

  it("report the engine's failure to the caller", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "migrate-thread-"));
    // A directory where the database file should be: nothing can open it.
    await expect(migrateOnThread(`file:${dir}`)).rejects.toMatchObject({ code: "SQLITE_CANTOPEN", message: expect.stringContaining("unable to open database file") });
  });
});
