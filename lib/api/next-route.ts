import type { ApiEntry } from "./entry";

/**
 * The route files' handlers. Next.js compiles route files apart from instrumentation.ts, each with
 * its own copy of lib/, so in production they hand their requests to the entry instrumentation.ts
 * offered at start-up: one module instance answers the API both ways in (ADR 008), and the route's
 * copy is never loaded. Without an offer (development, where edits must show; a unit test) the
 * route loads its own.
 */
export async function answerFromNext(request: Request): Promise<Response> {
  const entry = (globalThis as { __authApi?: ApiEntry }).__authApi ?? (await import("./entry"));
  return entry.answer(request);
}
