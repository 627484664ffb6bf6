// Prisma CLI configuration. One data model, two dialects: DATABASE_URL (or the embedded SQLite
// default from lib/config/database-url.mjs) decides which schema and which migrations folder the
// CLI works on:
//   postgresql://…  → prisma/schema.prisma         + prisma/migrations
//   file:…          → prisma/sqlite/schema.prisma  + prisma/sqlite/migrations (npm run db:schema)
import path from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "prisma/config";

import { databaseKindOfUrl, databaseUrlFromEnv } from "./lib/config/database-url.mjs";
import { externalTablesOf } from "./prisma/external-tables.mjs";

const root = path.dirname(fileURLToPath(import.meta.url));

// The native schema engine is downloaded from a host our machines cannot reach. The CLI resolves
// the engine binary through this variable only after it has loaded this file (both for its
// "download missing engines" step and when it spawns the engine), so setting it here makes the
// plain `prisma migrate …` / `prisma db push` commands use our WebAssembly stand-in.
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= path.join(root, "prisma/engine/schema-engine.mjs");

const url = databaseUrlFromEnv();
const sqlite = databaseKindOfUrl(url) === "sqlite";

export default defineConfig({
  schema: sqlite ? "prisma/sqlite/schema.prisma" : "prisma/schema.prisma",
  migrations: { path: sqlite ? "prisma/sqlite/migrations" : "prisma/migrations" },
  // Tables our migrations make by hand (SQLite's search index, ADR 016): without this, `migrate dev`
  // would write a migration dropping them. Prisma 7 still calls the option experimental.
  experimental: { externalTables: true },
  tables: { external: externalTablesOf(sqlite ? "sqlite" : "postgres") },
  datasource: {
    url,
    // Optional. Without it `migrate dev` replays migrations in a throwaway database: in memory for
    // SQLite; on PostgreSQL one it creates and drops (the user needs CREATEDB).
    ...(process.env.SHADOW_DATABASE_URL ? { shadowDatabaseUrl: process.env.SHADOW_DATABASE_URL } : {}),
  },
});
