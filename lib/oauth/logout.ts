import type Provider from "oidc-provider";
import type { KoaContextWithOIDC } from "oidc-provider";
import { endSession } from "@/lib/auth/sessions";
import { secureCookies, sessionCookieName } from "@/lib/web/session";
import { browserCaller } from "./provider";

/**
 * RP-initiated logout (ADR 015). The provider's own pages for it are not this service's (and load
 * a web font from Google): the question "sign out?" is asked by this service's page
 * /oauth/logout (app/(auth)/oauth/logout), whose form posts the provider's CSRF value back to the
 * provider's confirm endpoint, and the end is told on the same page. Signing out there ends both
 * sessions: the provider's, and this service's browser session (its cookie and its server-side
 * row), since the provider's session *is* the browser's.
 */

export const LOGOUT_PAGE = "/oauth/logout";

/** `features.rpInitiatedLogout.logoutSource`: to the question page, with the provider's form value. */
export async function logoutSource(ctx: KoaContextWithOIDC, form: string): Promise<void> {
  const xsrf = /name="xsrf" value="([^"]+)"/.exec(form)?.[1] ?? "";
  const query = new URLSearchParams({ xsrf });
  if (ctx.oidc.client) query.set("client", ctx.oidc.client.clientId);
  seeOther(ctx, `${LOGOUT_PAGE}?${query}`);
}

/** `features.rpInitiatedLogout.postLogoutSuccessSource`: when the app gave no address to return to. */
export async function postLogoutSuccessSource(ctx: KoaContextWithOIDC): Promise<void> {
  const query = new URLSearchParams({ done: "1" });
  if (ctx.oidc.client) query.set("client", ctx.oidc.client.clientId);
  seeOther(ctx, `${LOGOUT_PAGE}?${query}`);
}

function seeOther(ctx: KoaContextWithOIDC, location: string) {
  ctx.status = 303;
  ctx.set("cache-control", "no-store");
  ctx.redirect(location);
}

/**
 * When the person confirms signing out (the confirm endpoint with `logout=yes`), this service's
 * browser session ends too, before the answer leaves: the server-side row is revoked (a copied
 * cookie stops working) and the cookie is cleared.
 */
export function endBrowserSessionOnLogout(provider: Provider): void {
  provider.use(async (ctx, next) => {
    await next();
    const oidc = (ctx as KoaContextWithOIDC).oidc;
    if (oidc?.route !== "end_session_confirm" || ctx.status !== 303 || !oidc.params?.logout) return;
    const caller = await browserCaller(ctx.get("cookie"));
    if (caller) await endSession(caller.user.id, caller.sessionId, "logout");
    ctx.append("set-cookie", `${sessionCookieName()}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax${secureCookies() ? "; Secure" : ""}`);
  });
}
