import Provider, { errors, interactionPolicy, type Configuration, type KoaContextWithOIDC } from "oidc-provider";
import { resumeBrowserSession } from "@/lib/auth/sessions";
import type { Caller } from "@/lib/auth/types";
import { config } from "@/lib/config/env";
import { database } from "@/lib/db";
import { findUserById } from "@/lib/db/users";
import { log } from "@/lib/log";
import { oidcKey, signingPrivateJwk } from "@/lib/tokens/keys";
import { derivedKey } from "@/lib/tokens/secrets";
import { readSessionCookie, sessionCookieName } from "@/lib/web/session";
import { accountReadBefore, batchTokenEndpointWrites, OAuthAdapter } from "./adapter";
import { FIRST_PARTY, loadGrantOfThisSession, noteAppUsed } from "./grants";
import { endBrowserSessionOnLogout, logoutSource, postLogoutSuccessSource } from "./logout";
import { checkRegistration, limitRegistrations, registration } from "./registration";
import { resourceIndicators } from "./resources";
import { ACR_VALUES, providerLoginOf, sameLogin } from "./login";

/**
 * The OpenID Connect / OAuth 2.1 provider (ADR 015): panva's oidc-provider, certified, configured
 * here and nowhere else. Its endpoints live under /oauth/ (the legacy API owns /auth), discovery at
 * /.well-known/openid-configuration (and /.well-known/oauth-authorization-server, the same
 * document), its keys in the service's /.well-known/jwks.json. Only the authorization code grant
 * with PKCE (S256) for every client, refresh tokens, and client credentials for confidential
 * clients registered with that grant; no implicit flow, no password grant.
 */

/** The provider's endpoints; server.mjs hands every request under these paths to the provider. */
export const OAUTH_ROUTES = {
  authorization: "/oauth/auth",
  token: "/oauth/token",
  userinfo: "/oauth/me",
  end_session: "/oauth/session/end",
  revocation: "/oauth/token/revocation",
  introspection: "/oauth/token/introspection",
  registration: "/oauth/reg",
  pushed_authorization_request: "/oauth/request",
  code_verification: "/oauth/device",
  device_authorization: "/oauth/device/auth",
  backchannel_authentication: "/oauth/backchannel",
  challenge: "/oauth/challenge",
  credential: "/oauth/credential",
  // Served by the API (lib/api/endpoints/service.ts), never by the provider: the same keys.
  jwks: "/.well-known/jwks.json",
} as const;

/** Where the provider sends the browser when it needs the person: this service's own pages decide (lib/oauth/interaction.ts). */
export const INTERACTION_PATH = "/oauth/interaction/";

export const SCOPES = ["openid", "offline_access", "profile", "email"] as const;

export { FIRST_PARTY } from "./grants";

/** The browser session of this service named by a Cookie header, or null (none, or ended). */
export async function browserCaller(cookieHeader: string | undefined): Promise<Caller | null> {
  const name = sessionCookieName();
  let value: string | undefined;
  for (const part of (cookieHeader ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) value = part.slice(eq + 1).trim();
  }
  const claims = await readSessionCookie(value);
  return claims ? resumeBrowserSession(claims.uid, claims.sid) : null;
}

/** The browser session of the request's Cookie header, looked up once per request (the sync and the policy both ask). */
const callers = new WeakMap<object, Promise<Caller | null>>();
function callerOf(ctx: KoaContextWithOIDC): Promise<Caller | null> {
  let caller = callers.get(ctx.req);
  if (!caller) callers.set(ctx.req, (caller = browserCaller(ctx.get("cookie"))));
  return caller;
}

/**
 * The provider's session follows this service's browser session: before an authorization request
 * looks at its session, a browser signed in here is signed in there, as the same account, with
 * the session's last proof as `auth_time`, `amr` and `acr` (lib/oauth/login.ts). So `prompt=none`
 * answers a signed-in browser at once, and a proof renewed here (the second step, "Confirm it's
 * you", a sign-in again for an app's `prompt=login`) shows in the next ID token. Another account
 * signed in here gets a provider session of its own, not the last one's authorizations.
 */
async function followBrowserSession(ctx: KoaContextWithOIDC): Promise<void> {
  const session = ctx.oidc.session;
  // Pushed and back-channel requests have no browser, and no session.
  if (!session) return;
  const caller = await callerOf(ctx);
  if (!caller) return;
  const login = providerLoginOf(caller);
  if (sameLogin(session, login)) return;
  if (session.accountId && session.accountId !== login.accountId) {
    session.resetIdentifier();
    session.authorizations = undefined;
  }
  session.loginAccount({ accountId: login.accountId, loginTs: login.ts, amr: login.amr, acr: login.acr });
}

/**
 * oidc-provider calls an `extraParams` validator on every authorization request, after it has
 * loaded its session and before it loads the session's account: the one documented hook at that
 * point. This "parameter" is never read; its validator is how the session follows the browser's.
 */
const FOLLOW_BROWSER_SESSION = "x_follow_browser_session";

/**
 * The provider's login is this service's browser session: whenever the browser is not signed in
 * here, or is signed in as someone else than the provider's session says, the person is asked
 * (lib/oauth/interaction.ts sends them to /login), and `prompt=none` answers login_required.
 */
function policy() {
  const prompts = interactionPolicy.base();
  const login = prompts.get("login")!;
  login.checks.add(
    new interactionPolicy.Check("browser_session", "the browser is not signed in to this service as this account", "login_required", async (ctx) => {
      const caller = await callerOf(ctx);
      return !caller || String(caller.user.id) !== ctx.oidc.session?.accountId
        ? interactionPolicy.Check.REQUEST_PROMPT
        : interactionPolicy.Check.NO_NEED_TO_PROMPT;
    }),
  );
  return prompts;
}

async function configuration(): Promise<Configuration> {
  const rsa = await oidcKey();
  if (!rsa) throw new Error("the OpenID provider needs OIDC_RSA_PRIVATE_KEY");
  const accessJwk = await signingPrivateJwk();
  return {
    adapter: OAuthAdapter,
    clients: [],
    // RS256 first: OpenID Connect's default ID-token algorithm; the access tokens' key on request per client.
    jwks: { keys: [rsa.privateJwk, accessJwk] as never },
    routes: OAUTH_ROUTES,
    scopes: [...SCOPES],
    // auth_time, amr and acr under openid: in every ID token, whatever else was asked (issue 22).
    claims: { openid: ["sub", "auth_time", "amr", "acr"], email: ["email", "email_verified"], profile: ["name", "birthdate"] },
    acrValues: ACR_VALUES,
    // The scopes' claims in the ID token too, not only at userinfo: relying parties such as
    // Auth.js read the person from the ID token (oidc-provider's default keeps them for userinfo).
    conformIdTokenClaims: false,
    extraParams: { [FOLLOW_BROWSER_SESSION]: followBrowserSession },
    responseTypes: ["code"],
    pkce: { required: () => true },
    clientAuthMethods: ["client_secret_basic", "client_secret_post", "none"],
    cookies: { keys: [derivedKey("oauth-cookie-signing").toString("base64url")], long: { httpOnly: true, sameSite: "lax" }, short: { httpOnly: true, sameSite: "lax" } },
    extraClientMetadata: {
      properties: [FIRST_PARTY],
      validator(ctx, key, value, metadata) {
        if (key === FIRST_PARTY && value !== undefined && typeof value !== "boolean") {
          throw new errors.InvalidClientMetadata(`${FIRST_PARTY} must be a boolean`);
        }
        if (key === FIRST_PARTY) checkRegistration(ctx, metadata as Record<string, unknown>, new Set(SCOPES), FIRST_PARTY);
      },
    },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      revocation: { enabled: true },
      // A client learns about its own tokens only: one app may not look into another's (the
      // library's default lets any confidential client introspect any token).
      introspection: { enabled: true, allowedPolicy: (_ctx, client, token) => token.clientId === client.clientId },
      rpInitiatedLogout: { enabled: true, logoutSource, postLogoutSuccessSource },
      userinfo: { enabled: true },
      resourceIndicators: resourceIndicators(),
      registration: registration(),
    },
    // Grants are made under this service's session and consent is remembered per app (lib/oauth/grants.ts).
    loadExistingGrant: (ctx) => loadGrantOfThisSession(ctx, () => callerOf(ctx)),
    interactions: {
      policy: policy(),
      url: (_ctx, interaction) => `${INTERACTION_PATH}${interaction.uid}`,
    },
    async findAccount(_ctx, sub) {
      if (!/^[1-9][0-9]*$/.test(sub)) return undefined;
      // Userinfo and a refresh read the account with the token (lib/oauth/adapter.ts).
      const user = accountReadBefore(Number(sub)) ?? (await findUserById(database, Number(sub)));
      if (!user || user.disabledAt) return undefined;
      return {
        accountId: sub,
        async claims() {
          // A birthdate not given is left out, not null (OpenID Connect Core 5.3.2).
          return { sub, email: user.email, email_verified: user.verifiedAt !== null, name: user.name, ...(user.dob ? { birthdate: user.dob } : {}) };
        },
      };
    },
    // Refresh tokens for offline_access (which OpenID Connect grants with prompt=consent), and always for first-party clients.
    async issueRefreshToken(_ctx, client, code) {
      if (!client.grantTypeAllowed("refresh_token")) return false;
      return code.scopes.has("offline_access") || client.metadata()[FIRST_PARTY] === true;
    },
    rotateRefreshToken: true,
    ttl: {
      AccessToken: () => config().accessTokenTtlSeconds,
      AuthorizationCode: 60,
      IdToken: 3600,
      Interaction: 3600,
      Session: () => config().sessionMaxAgeSeconds,
      Grant: () => config().refreshTokenTtlSeconds,
      RefreshToken: () => config().refreshTokenTtlSeconds,
      ClientCredentials: () => config().accessTokenTtlSeconds,
    },
    renderError(ctx, out) {
      ctx.type = "json";
      ctx.body = out;
    },
  };
}

let cached: Promise<Provider> | undefined;

/** The process's provider, built on first use; null when it is off (production without OIDC_RSA_PRIVATE_KEY). */
export async function oauthProvider(): Promise<Provider | null> {
  if (!config().oidcRsaPrivateKey) return null;
  cached ??= configuration().then((settings) => {
    const provider = new Provider(config().appUrl, settings);
    // X-Forwarded-Proto and -Host count only behind the proxies TRUST_PROXY names.
    provider.proxy = config().trustedProxies > 0;
    provider.on("grant.success", (ctx) => {
      noteAppUsed(ctx).catch((error: unknown) => log.warn("oauth: an app's last use was not noted", { error }));
    });
    endBrowserSessionOnLogout(provider);
    provider.use((ctx, next) => limitRegistrations(ctx, next, OAUTH_ROUTES.registration));
    provider.use((ctx, next) => batchTokenEndpointWrites(ctx, next, OAUTH_ROUTES.token));
    return provider;
  }).catch((error: unknown) => {
    cached = undefined;
    throw error;
  });
  return cached;
}

export type { KoaContextWithOIDC };
