import { flushRefusalCounts } from "@/lib/auth/refusal-counts";
import { disconnectDb } from "@/lib/db";
import { stopHousekeeping } from "@/lib/housekeeping";
import { log } from "@/lib/log";
import { stopMailSender } from "@/lib/mail/sender";

/**
 * The process's life as server.mjs drives it (the same process, so through globalThis): once it
 * stops accepting connections the readiness probe says so, and after the last request has been
 * answered the background work stops and hands back what it held.
 */
interface Lifecycle {
  __authShuttingDown?: boolean;
  __authStopBackgroundWork?: () => Promise<void>;
  /** Set by server.mjs: the requests it serves itself wait for start-up, as Next.js's own do. */
  __authStartupDone?: (error?: unknown) => void;
}
const holder = globalThis as unknown as Lifecycle;

export const isShuttingDown = () => holder.__authShuttingDown === true;

/** Installed at start-up; server.mjs calls it once in-flight requests are done. */
export function registerShutdown(): void {
  holder.__authStopBackgroundWork = async () => {
    stopHousekeeping();
    await stopMailSender();
    // The 429s counted since the last save (lib/auth/refusal-counts.ts).
    await flushRefusalCounts().catch((error: unknown) => log.warn("429 counts not saved", { error }));
    await disconnectDb();
    log.info("background work stopped");
  };
}

/** Start-up finished (or failed): server.mjs starts (or stops) answering the API it serves itself. */
export function announceStartup(error?: unknown): void {
  holder.__authStartupDone?.(error);
}
