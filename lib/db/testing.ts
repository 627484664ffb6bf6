import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll } from "vitest";
import { migrateDeploy } from "@/prisma/engine/wasm-engine.mjs";
import { disconnectDb, prismaClient, type Db } from "./client";

export type { Db };

/**
 * For unit tests of the data layer and services: a fresh, migrated SQLite database for this test
 * file. Call at the top level of the file, before anything reads the configuration.
 */
export function useTestDatabase(): () => Db {
  const dir = mkdtempSync(path.join(tmpdir(), "auth-unit-db-"));
  process.env.DATABASE_URL = `file:${path.join(dir, "auth.db")}`;
  process.env.DATA_DIR = dir;
  process.env.LOG_LEVEL ??= "silent";
  beforeAll(async () => {
    await migrateDeploy({ url: process.env.DATABASE_URL! });
  }, 60_000);
  afterAll(async () => {
    await disconnectDb();
    rmSync(dir, { recursive: true, force: true });
  });
  return prismaClient;
}
