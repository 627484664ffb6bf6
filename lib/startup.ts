import { ConfigError, config } from "@/lib/config/env";
import { startSessionCheckCache } from "@/lib/db";
import { startHousekeeping } from "@/lib/housekeeping";
import { announceStartup, registerShutdown } from "@/lib/lifecycle";
import { log } from "@/lib/log";
import { startMailSender } from "@/lib/mail/sender";
import { hashPool } from "@/lib/password/pool";
import { SigningKeyError, signingKey } from "@/lib/tokens/keys";
import path from "node:path";
import { Worker } from "node:worker_threads";

/**
 * Start-up of a server process: check the environment and the signing key (a production server
 * without its secrets, or with a key it cannot read, stops here with a message naming the
 * problem, rather than failing every login while /healthz says ok), bring the database schema up
 * to date (several instances may do this at once; the migration engine serialises them), then
 * start background work.
 */
export async function startServer(): Promise<void> {
  try {
    await start();
    announceStartup();
  } catch (error) {
    announceStartup(error);
    throw error;
  }
}

async function start(): Promise<void> {
  let settings;
  try {
    settings = config();
    await signingKey();
  } catch (error) {
    if (error instanceof ConfigError || error instanceof SigningKeyError) {
      console.error(`\n${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  // next-auth builds its callback URLs from NEXTAUTH_URL.
  process.env.NEXTAUTH_URL ??= settings.appUrl;
  const started = performance.now();
  const applied = await migrateOnThread(settings.databaseUrl);
  log.info("database ready", {
    database: settings.databaseKind,
    appliedMigrations: applied,
    ms: Math.round(performance.now() - started),
  });
  // The first login does not wait for the hash threads to start, and a server that cannot hash stops here.
  await hashPool().threads.start();
  // Delivers the outbox; an interrupted send is retried by any instance once its claim lapses.
  startMailSender();
  startHousekeeping();
  // PostgreSQL: session checks served from memory, told of every change by the database (ADR 019).
  if (settings.databaseKind === "postgres" && settings.sessionCacheSeconds > 0) startSessionCheckCache(settings.sessionCacheSeconds * 1000);
  registerShutdown();
}

/**
 * Brings the schema up to date with the migration engine (prisma/engine: plain Node code that loads
 * a WebAssembly module from node_modules by path, run outside the bundle as the Prisma CLI runs
 * it) on a thread of its own, which takes the engine's memory with it when it ends.
 */
export function migrateOnThread(url: string): Promise<string[]> {
  const file = path.join(/* turbopackIgnore: true */ process.cwd(), "prisma/engine/migrate-thread.mjs");
  const thread = new Worker(file, { workerData: { url } });
  return new Promise<string[]>((resolve, reject) => {
    thread.once("message", (reply: { applied?: string[]; error?: { name?: string; message: string; code?: string } }) => {
      if (reply.error) reject(Object.assign(new Error(reply.error.message), reply.error));
      else resolve(reply.applied ?? []);
    });
    thread.once("error", reject);
    thread.once("exit", (code) => reject(new Error(`the migration thread exited with code ${code} before it answered`)));
  }).finally(() => thread.terminate());
}
