// Runs once when a server process starts, before it serves a request.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  // One module instance answers the API, through server.mjs's fast path and Next.js's routes alike (ADR 008).
  if (process.env.NODE_ENV === "production") (await import("./lib/api/entry")).offerEntry();
  // The OpenID provider's door in server.mjs (ADR 015), in development too.
  (await import("./lib/oauth/entry")).offerOAuthEntry();
  const { startServer } = await import("./lib/startup");
  await startServer();
}
