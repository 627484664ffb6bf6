import { ConfigError, config } from "@/lib/config/env";
import { startHousekeeping } from "@/lib/housekeeping";
import { announceStartup, registerShutdown } from "@/lib/lifecycle";
import { log } from "@/lib/log";
import { startMailSender } from "@/lib/mail/sender";
import { hashPool } from "@/lib/password/pool";
import { SigningKeyError, signingKey } from "@/lib/tokens/keys";
import path from "node:path";
import { pathToFileURL } from "node:url";

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
  const applied = await (await loadMigrationEngine()).migrateDeploy({ url: settings.databaseUrl });
  log.info("database ready", {
    database: settings.databaseKind,
    appliedMigrations: applied,
    ms: Math.round(performance.now() - started),
  });
  // The first login does not wait for the hash threads to start, and a server that cannot hash stops here.
  await hashPool().threads?.start();
  // Delivers the outbox; an interrupted send is retried by any instance once its claim lapses.
  startMailSender();
  startHousekeeping();
  registerShutdown();
}

/**
 * The migration engine (prisma/engine) is plain Node code that loads a WebAssembly module from
 * node_modules by path; it is imported at run time, outside the bundle, as the Prisma CLI runs it.
 */
async function loadMigrationEngine(): Promise<typeof import("@/prisma/engine/wasm-engine.mjs")> {
  const file = path.join(/* turbopackIgnore: true */ process.cwd(), "prisma/engine/wasm-engine.mjs");
  return import(/* webpackIgnore: true */ /* turbopackIgnore: true */ pathToFileURL(file).href);
}
