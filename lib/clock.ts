import { readFileSync } from "node:fs";

/**
 * The service's notion of "now". Expiry rules read time only through here, so tests can move the
 * clock of a running server: when AUTH_TEST_CLOCK_FILE is set (never in a real deployment) the
 * file holds an offset in milliseconds that is added to the real time.
 */
let clockFile: string | undefined;

function offsetMs(): number {
  // The variable is read once (each read of process.env is a call into the runtime, and every
  // request asks the time several times); tests set it before anything asks.
  const file = (clockFile ??= process.env.AUTH_TEST_CLOCK_FILE ?? "");
  if (!file) return 0;
  try {
    // Read on every call: only tests set the variable, and a cache keyed on mtime misses writes
    // that land within one timestamp tick.
    return Number(readFileSync(file, "utf8").trim()) || 0;
  } catch {
    return 0;
  }
}

export function now(): Date {
  return new Date(Date.now() + offsetMs());
}

export function secondsFromNow(seconds: number, from: Date = now()): Date {
  return new Date(from.getTime() + seconds * 1000);
}
