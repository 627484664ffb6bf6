import { errors, type Configuration, type KoaContextWithOIDC } from "oidc-provider";
import { config } from "@/lib/config/env";

/**
 * Resource indicators (RFC 8707) and JWT access tokens (RFC 9068), ADR 015: a `resource` listed in
 * OAUTH_RESOURCES gets an access token that is a JWT whose `aud` is that resource, signed RS256
 * with the provider's key (RFC 9068 asks every authorization server and resource server to support
 * RS256; the key is in /.well-known/jwks.json). Any other `resource` is refused: invalid_target.
 * Without `resource` the access token stays opaque and is for userinfo only, as before.
 */

/** OpenID Connect's own scopes: never a resource server's. */
const OIDC_SCOPES = new Set(["openid", "offline_access", "profile", "email", "address", "phone"]);

/** The non-OpenID scopes of a space-separated scope string. */
function resourceScopes(scope: unknown): string[] {
  return typeof scope === "string" ? scope.split(" ").filter((s) => s && !OIDC_SCOPES.has(s)) : [];
}

/**
 * What a listed resource server grants: the scopes asked for that are not OpenID's (the resource
 * server gives them meaning; the person sees them on the consent page and the grant remembers
 * them). At the token endpoint the token carries only what the grant holds for the resource, so the
 * grant's own scopes are offered there. The client credentials grant has no person to consent: its
 * tokens carry no scope (the resource server knows the client by `client_id`, which is also `sub`).
 */
function scopeFor(ctx: KoaContextWithOIDC, resource: string): string {
  if (ctx.oidc.params?.grant_type === "client_credentials") return "";
  const granted = ctx.oidc.entities.Grant?.getResourceScope(resource) ?? "";
  return [...new Set([...resourceScopes(ctx.oidc.params?.scope), ...granted.split(" ").filter(Boolean)])].join(" ");
}

export function resourceIndicators(): NonNullable<NonNullable<Configuration["features"]>["resourceIndicators"]> {
  return {
    enabled: true,
    // No `resource`, no default: the access token is the opaque one userinfo takes. Several granted and
    // none named at the token endpoint: the client must name one (the provider then says so).
    defaultResource: async (_ctx, _client, oneOf) => oneOf,
    // A code or refresh token issued for a resource redeems for that resource's token, even when the
    // token request does not repeat `resource` (with `openid` the provider would otherwise mint a userinfo token).
    useGrantedResource: async () => true,
    async getResourceServerInfo(ctx, resource) {
      if (!config().oauthResources.includes(resource)) throw new errors.InvalidTarget();
      return {
        scope: scopeFor(ctx, resource),
        audience: resource,
        accessTokenTTL: config().accessTokenTtlSeconds,
        accessTokenFormat: "jwt",
        jwt: { sign: { alg: "RS256" } },
      };
    },
  };
}
