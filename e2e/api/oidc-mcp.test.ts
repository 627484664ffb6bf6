import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { auth, type OAuthClientProvider } from "@modelcontextprotocol/sdk/client/auth.js";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from "@modelcontextprotocol/sdk/shared/auth.js";
import { createRemoteJWKSet, decodeJwt, jwtVerify, type JWTPayload } from "jose";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { baseUrl } from "./client";
import { registeredVerifiedUser } from "./helpers";
import { Browser } from "./oidc-support";

/**
 * The Model Context Protocol's own TypeScript SDK against this service (issue 22, "MCP-ready"): a
 * small MCP server in this process (Streamable HTTP on 127.0.0.1, its RFC 9728 protected-resource
 * metadata naming APP_URL as the authorization server) that accepts only a JWT access token whose
 * signature verifies on the service's JWKS and whose `aud` is its own URL; and the SDK's client
 * with its OAuth client provider, doing what an MCP host does: discovery, dynamic registration,
 * PKCE and `resource`. The person's part (sign-in, consent) is the Browser of oidc-support.ts,
 * sent to the authorization URL the SDK hands to `redirectToAuthorization`.
 */

const { mcp: MCP_URL, mcpPort } = inject("oauthResources");
const PRM_PATH = "/.well-known/oauth-protected-resource/mcp";
// localhost, not 127.0.0.1: the Browser helper stops following redirects at the first URL outside APP_URL.
const CALLBACK = "http://localhost:9/callback";

let user: Awaited<ReturnType<typeof registeredVerifiedUser>>;
let mcpServer: Server;
/** What the MCP server saw: each bearer token's verified claims. */
const verified: JWTPayload[] = [];

/** Verifies the bearer token as a resource server should: signature on the issuer's JWKS, issuer, `typ`, and `aud` = this server. */
async function bearerClaims(req: IncomingMessage): Promise<JWTPayload | null> {
  const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
  if (!token) return null;
  try {
    const jwks = createRemoteJWKSet(new URL(`${baseUrl()}/.well-known/jwks.json`));
    const { payload } = await jwtVerify(token, jwks, { issuer: baseUrl(), audience: MCP_URL, typ: "at+jwt" });
    return payload;
  } catch {
    return null;
  }
}

async function serveMcp(req: IncomingMessage, res: ServerResponse) {
  const path = new URL(req.url ?? "/", MCP_URL).pathname;
  if (path === PRM_PATH) {
    // RFC 9728: who this resource is, and which authorization server issues its tokens.
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ resource: MCP_URL, authorization_servers: [baseUrl()], scopes_supported: ["mcp:tools", "offline_access"], bearer_methods_supported: ["header"] }));
    return;
  }
  if (path !== "/mcp") {
    res.writeHead(404).end();
    return;
  }
  const claims = await bearerClaims(req);
  if (!claims) {
    res.writeHead(401, { "www-authenticate": `Bearer resource_metadata="${new URL(PRM_PATH, MCP_URL).href}"` }).end();
    return;
  }
  verified.push(claims);
  // Stateless: one MCP server and transport per request, with the caller's subject in its one tool.
  const server = new McpServer({ name: "test-mcp", version: "1.0.0" });
  server.registerTool("whoami", { description: "The signed-in subject" }, async () => ({ content: [{ type: "text", text: String(claims.sub) }] }));
  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
  res.on("close", () => void transport.close());
  await server.connect(transport);
  await transport.handleRequest(req, res);
}

/** An MCP host's OAuth client provider, in memory; the authorization URL is kept for the Browser. */
class MemoryOAuthProvider implements OAuthClientProvider {
  information: OAuthClientInformationMixed | undefined;
  saved: OAuthTokens | undefined;
  verifier = "";
  authorizationUrl: URL | undefined;

  get redirectUrl() {
    return CALLBACK;
  }
  get clientMetadata(): OAuthClientMetadata {
    return { client_name: "Test MCP Host", redirect_uris: [CALLBACK], grant_types: ["authorization_code", "refresh_token"], response_types: ["code"], token_endpoint_auth_method: "none" };
  }
  clientInformation() {
    return this.information;
  }
  saveClientInformation(information: OAuthClientInformationMixed) {
    this.information = information;
  }
  tokens() {
    return this.saved;
  }
  saveTokens(tokens: OAuthTokens) {
    this.saved = tokens;
  }
  redirectToAuthorization(url: URL) {
    this.authorizationUrl = url;
  }
  saveCodeVerifier(verifier: string) {
    this.verifier = verifier;
  }
  codeVerifier() {
    return this.verifier;
  }
}

beforeAll(async () => {
  user = await registeredVerifiedUser();
  mcpServer = createServer((req, res) => {
    serveMcp(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    mcpServer.once("error", reject);
    mcpServer.listen(mcpPort, "127.0.0.1", resolve);
  });
}, 60_000);

afterAll(async () => {
  await new Promise((resolve) => mcpServer?.close(resolve));
});

describe("an MCP server protected by this service, and the MCP SDK's client", () => {
  it("discovers the issuer from the resource's metadata, registers, signs the person in with PKCE and resource, and calls a tool with a token for that resource", async () => {
    const provider = new MemoryOAuthProvider();
    const mcpClient = () => new Client({ name: "test-host", version: "1.0.0" });

    // Unauthenticated: the MCP server answers 401 with its metadata; the SDK discovers and registers, then hands over the browser.
    const first = new StreamableHTTPClientTransport(new URL(MCP_URL), { authProvider: provider });
    await expect(mcpClient().connect(first)).rejects.toThrow(/Unauthorized/i);
    expect(provider.information?.client_id).toBeTruthy();
    expect(provider.information).not.toHaveProperty("client_secret");
    const url = provider.authorizationUrl!;
    expect(url.origin + url.pathname).toBe(`${baseUrl()}/oauth/auth`);
    expect(url.searchParams.get("resource")).toBe(MCP_URL);
    expect(url.searchParams.get("code_challenge_method")).toBe("S256");
    expect(url.searchParams.get("scope")).toBe("mcp:tools offline_access");
    expect(url.searchParams.get("prompt")).toBe("consent");

    // The person: this service's login page, then the consent page (a registered client is third-party).
    const browser = new Browser();
    const toLogin = await browser.follow(url.href);
    const interaction = new URL(toLogin.url).searchParams.get("next")!;
    expect(new URL(toLogin.url).pathname).toBe("/login");
    expect(await browser.signIn(user.email, user.password, interaction)).toBe(interaction);
    const toConsent = await browser.follow(interaction);
    expect(new URL(toConsent.url).pathname).toBe("/oauth/consent");
    expect(await toConsent.res!.text()).toContain("Test MCP Host");
    const allowed = await browser.consent(new URL(toConsent.url).searchParams.get("interaction")!, "allow");
    const back = new URL((await browser.follow(allowed.headers.get("location")!)).url);
    expect(back.origin + back.pathname).toBe(CALLBACK);
    expect(back.searchParams.get("iss")).toBe(baseUrl());

    // The SDK redeems the code (PKCE verifier and resource): a JWT for the MCP server, no ID token, and a refresh token (offline_access).
    await first.finishAuth(back.searchParams.get("code")!);
    const tokens = provider.saved!;
    expect(tokens).not.toHaveProperty("id_token");
    expect(tokens.refresh_token).toBeTruthy();
    expect(decodeJwt(tokens.access_token)).toMatchObject({ aud: MCP_URL, sub: String(user.userId), iss: baseUrl(), client_id: provider.information!.client_id, scope: "mcp:tools" });

    const client = mcpClient();
    await client.connect(new StreamableHTTPClientTransport(new URL(MCP_URL), { authProvider: provider }));
    const result = await client.callTool({ name: "whoami" });
    expect(result.content).toEqual([{ type: "text", text: String(user.userId) }]);
    await client.close();
    expect(verified.at(-1)).toMatchObject({ aud: MCP_URL, sub: String(user.userId) });

    // Later, the SDK refreshes for the same resource (rotation: a new refresh token).
    const before = tokens.refresh_token;
    expect(await auth(provider, { serverUrl: MCP_URL })).toBe("AUTHORIZED");
    expect(provider.saved!.refresh_token).not.toBe(before);
    expect(decodeJwt(provider.saved!.access_token)).toMatchObject({ aud: MCP_URL, sub: String(user.userId) });
  });

  it("refuses a token that is not for it: this service's own access token, and no token", async () => {
    const res = await fetch(MCP_URL, { method: "POST", headers: { authorization: `Bearer ${user.tokens.access_token}`, "content-type": "application/json" }, body: "{}" });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toContain("resource_metadata=");
  });
});
