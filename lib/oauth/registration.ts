import type { ParameterizedContext } from "koa";
import { errors, type Configuration, type KoaContextWithOIDC } from "oidc-provider";
import { limitClient } from "@/lib/auth/limits";
import { config } from "@/lib/config/env";
import { database } from "@/lib/db";
import { isAppError } from "@/lib/errors";
import { clientAddress } from "@/lib/http/client-address";

/**
 * Dynamic client registration (RFC 7591) at /oauth/reg, ADR 015: on only with
 * OAUTH_DYNAMIC_REGISTRATION=true, as MCP clients expect. Anyone may register, so what they may
 * register is narrow: public clients (no secret; PKCE, which every client needs here), the code
 * grant (and refresh), redirect URIs on https or on this machine's loopback, never first-party
 * (the person is always asked), nothing that makes this server fetch a URL. The provider's own
 * rules still apply after these (a native client's http URIs must be loopback, and so on).
 */

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);
const MAX_REDIRECT_URIS = 10;
/** Metadata that would make this server fetch a URL the registrant names (sector identifiers, key sets). */
const FETCHED_METADATA = ["sector_identifier_uri", "jwks_uri", "request_uris"];

export function registration(): NonNullable<NonNullable<Configuration["features"]>["registration"]> {
  // No registration access token: a registered client cannot read or change its record afterwards (RFC 7592 is off).
  return { enabled: config().oauthDynamicRegistration, issueRegistrationAccessToken: false };
}

/** True for a redirect URI a dynamically registered client may have: https, or http on a loopback host. */
export function registrableRedirectUri(uri: unknown): boolean {
  if (typeof uri !== "string" || !URL.canParse(uri)) return false;
  const { protocol, hostname } = new URL(uri);
  return protocol === "https:" || (protocol === "http:" && LOOPBACK_HOSTS.has(hostname));
}

/**
 * The registration endpoint's rules, applied to the metadata a registrant sent (the provider calls
 * this from its client validation; `metadata` is what it will store, and may be amended here).
 * Clients registered from the shell (npm run oauth:client) and clients read back from storage are
 * not registrations and pass untouched.
 */
export function checkRegistration(ctx: KoaContextWithOIDC | undefined, metadata: Record<string, unknown>, staticScopes: ReadonlySet<string>, firstPartyKey: string): void {
  if (ctx?.oidc?.route !== "registration") return;
  const sent = (ctx.oidc.body ?? {}) as Record<string, unknown>;
  if (sent.token_endpoint_auth_method !== "none") {
    throw new errors.InvalidClientMetadata("only public clients may register: token_endpoint_auth_method must be none (PKCE authenticates the client)");
  }
  const grantTypes = (metadata.grant_types as string[] | undefined) ?? [];
  if (grantTypes.some((grant) => grant !== "authorization_code" && grant !== "refresh_token")) {
    throw new errors.InvalidClientMetadata("grant_types may only be authorization_code and refresh_token");
  }
  const redirectUris = (metadata.redirect_uris as unknown[] | undefined) ?? [];
  const postLogout = (metadata.post_logout_redirect_uris as unknown[] | undefined) ?? [];
  if (redirectUris.length > MAX_REDIRECT_URIS || postLogout.length > MAX_REDIRECT_URIS) {
    throw new errors.InvalidClientMetadata(`at most ${MAX_REDIRECT_URIS} redirect URIs`);
  }
  if (![...redirectUris, ...postLogout].every(registrableRedirectUri)) {
    throw new errors.InvalidRedirectUri("redirect URIs must be https:// or http:// on a loopback address (127.0.0.1, [::1], localhost)");
  }
  const fetched = FETCHED_METADATA.find((key) => sent[key] !== undefined);
  if (fetched) throw new errors.InvalidClientMetadata(`${fetched} is not accepted at registration`);
  if (sent[firstPartyKey] !== undefined && sent[firstPartyKey] !== false) {
    throw new errors.InvalidClientMetadata(`${firstPartyKey} cannot be registered`);
  }
  metadata[firstPartyKey] = false;
  // `scope` in client metadata limits which of the provider's own scopes the client may ask for; an
  // MCP client also lists its resource server's scopes there (which any client may ask for with a
  // `resource`), so those are set aside instead of refusing the registration.
  if (typeof metadata.scope === "string") {
    const known = metadata.scope.split(" ").filter((s) => staticScopes.has(s));
    if (known.length > 0) metadata.scope = known.join(" ");
    else delete metadata.scope;
  }
}

/**
 * Registrations from one client address are counted with the service's other per-address limits
 * (lib/auth/limits.ts: 30 per 5 minutes): each one stores a client for good. Past it, the
 * provider's own error shape with 429 and Retry-After.
 */
export async function limitRegistrations(ctx: ParameterizedContext, next: () => Promise<void>, registrationPath: string): Promise<void> {
  if (ctx.method !== "POST" || ctx.path !== registrationPath || !config().oauthDynamicRegistration) return next();
  const headers = new Headers();
  for (const [name, value] of Object.entries(ctx.headers)) if (typeof value === "string") headers.set(name, value);
  try {
    await limitClient(database, "oauth-registration", clientAddress(headers, config().trustedProxies));
  } catch (error) {
    if (!isAppError(error) || error.retryAfterSeconds === undefined) throw error;
    ctx.status = 429;
    ctx.set("retry-after", String(error.retryAfterSeconds));
    ctx.set("cache-control", "no-store");
    ctx.body = { error: "temporarily_unavailable", error_description: "too many client registrations from this address; try again later" };
    return;
  }
  return next();
}
