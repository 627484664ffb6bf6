import type { IncomingMessage, ServerResponse } from "node:http";
import { log } from "@/lib/log";
import { answerInteraction } from "./interaction";
import { INTERACTION_PATH, OAUTH_ROUTES, oauthProvider } from "./provider";

/**
 * The provider's door in server.mjs (ADR 015), beside the API's (ADR 008): Node's req/res go to
 * oidc-provider's own handler (`provider.callback()`, a Koa app) without Next.js. Offered on
 * globalThis by instrumentation.ts, so server.mjs and the pages use one module instance.
 */
export interface OAuthEntry {
  /** Whether this request is the provider's (then it answers it). */
  serve(req: IncomingMessage, res: ServerResponse, started: Promise<unknown>): boolean;
}

const DISCOVERY = "/.well-known/openid-configuration";
/** RFC 8414's name for the same document. */
const AUTHORIZATION_SERVER_METADATA = "/.well-known/oauth-authorization-server";
const PREFIXES = Object.entries(OAUTH_ROUTES)
  .filter(([name]) => name !== "jwks")
  .map(([, path]) => path);
const INTERACTION = new RegExp(`^${INTERACTION_PATH}[A-Za-z0-9_-]{1,64}$`);

export type OAuthPathKind = "provider" | "interaction" | null;

/** Which door a path belongs to: the provider's, the interaction handler's, or neither (Next.js). */
export function oauthPathKind(pathname: string): OAuthPathKind {
  if (pathname === DISCOVERY || pathname === AUTHORIZATION_SERVER_METADATA) return "provider";
  if (INTERACTION.test(pathname)) return "interaction";
  if (PREFIXES.some((p) => pathname === p || pathname.startsWith(`${p}/`))) return "provider";
  return null;
}

let handler: ReturnType<InstanceType<typeof import("oidc-provider").default>["callback"]> | undefined;

/** The provider's Node handler, built once. */
async function providerHandler() {
  const provider = await oauthProvider();
  if (!provider) return null;
  handler ??= provider.callback();
  return handler;
}

export const oauthEntry: OAuthEntry = {
  serve(req, res, started) {
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const pathname = q >= 0 ? url.slice(0, q) : url;
    const kind = oauthPathKind(pathname);
    if (!kind) return false;
    if (pathname === AUTHORIZATION_SERVER_METADATA) req.url = DISCOVERY + (q >= 0 ? url.slice(q) : "");
    const answer = async () => {
      await started;
      if (kind === "interaction") return answerInteraction(req, res);
      const handler = await providerHandler();
      if (!handler) {
        res.writeHead(404, { "content-type": "text/plain; charset=utf-8" });
        res.end("Not Found");
        return;
      }
      await handler(req, res);
    };
    answer().catch((error: unknown) => {
      log.error("oauth: request failed", { error });
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
      res.end("Internal Server Error");
    });
    return true;
  },
};

declare global {
  var __authOAuth: OAuthEntry | undefined;
}

/** Called by instrumentation.ts at start-up: server.mjs hands the provider its requests from then on. */
export function offerOAuthEntry(): void {
  globalThis.__authOAuth = oauthEntry;
}
