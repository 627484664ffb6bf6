import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "@/lib/config/env";
import { registrableRedirectUri } from "./registration";

describe("OAUTH_RESOURCES and OAUTH_DYNAMIC_REGISTRATION", () => {
  const env = {
    AUTH_SECRET: "x".repeat(40),
    JWT_PRIVATE_KEY: generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    OIDC_RSA_PRIVATE_KEY: "read by lib/tokens/keys.ts, not here",
    DATABASE_URL: "file:./data/unused.db",
    APP_URL: "https://auth.example.com",
  };

  it("default to no resources and no registration", () => {
    expect(parseConfig(env)).toMatchObject({ oauthResources: [], oauthDynamicRegistration: false });
  });

  it("read a comma-separated list of absolute URIs, spelled as given", () => {
    const parsed = parseConfig({ ...env, OAUTH_RESOURCES: " https://mcp.example.com/mcp , https://api.example.com,urn:example:api", OAUTH_DYNAMIC_REGISTRATION: "true" });
    expect(parsed).toMatchObject({ oauthResources: ["https://mcp.example.com/mcp", "https://api.example.com", "urn:example:api"], oauthDynamicRegistration: true });
  });

  it("refuse what cannot be a resource indicator, and the legacy API's own audience", () => {
    expect(() => parseConfig({ ...env, OAUTH_RESOURCES: "/relative" })).toThrow(/OAUTH_RESOURCES: \/relative is not an absolute URI/);
    expect(() => parseConfig({ ...env, OAUTH_RESOURCES: "https://api.example.com/#part" })).toThrow(/must not have a fragment/);
    expect(() => parseConfig({ ...env, OAUTH_RESOURCES: "https://auth.example.com/auth" })).toThrow(ConfigError);
  });
});

describe("registrableRedirectUri", () => {
  it("takes https and http on a loopback address, any port", () => {
    for (const uri of ["https://app.example.com/cb", "http://127.0.0.1:33418/callback", "http://localhost/callback", "http://[::1]:8080/cb"]) {
      expect(registrableRedirectUri(uri)).toBe(true);
    }
  });

  it("refuses plain http elsewhere, custom schemes and what is not a URI", () => {
    for (const uri of ["http://app.example.com/cb", "http://127.0.0.1.example.com/cb", "http://localhost.attacker.test/cb", "com.example.app:/callback", "javascript:alert(1)", "not a uri", 42]) {
      expect(registrableRedirectUri(uri)).toBe(false);
    }
  });
});
