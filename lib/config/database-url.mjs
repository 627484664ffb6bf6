// Shared by the app (lib/config/env.ts), prisma.config.ts and the migration scripts, which run
// outside the app's TypeScript build: one place decides the embedded default.
import path from "node:path";

/** DATABASE_URL, or the embedded SQLite database under DATA_DIR (./data by default). */
export function databaseUrlFromEnv(env = process.env) {
  if (env.DATABASE_URL) return env.DATABASE_URL;
  return `file:${path.join(path.resolve(env.DATA_DIR ?? "./data"), "auth.db")}`;
}

/** "postgres" for postgresql:// URLs, "sqlite" for file: URLs. */
export function databaseKindOfUrl(url) {
  if (/^postgres(ql)?:\/\//i.test(url)) return "postgres";
  if (url.startsWith("file:")) return "sqlite";
  throw new Error(`DATABASE_URL must be a file: URL (embedded SQLite) or postgresql://… (got "${url.split(":")[0]}:…")`);
}
