import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { useTestDatabase } from "@/lib/db/testing";

useTestDatabase();
const { oauthPathKind } = await import("./entry");
const { loadOidcKey } = await import("@/lib/tokens/keys");

describe("oauthPathKind: which requests server.mjs hands the OpenID provider", () => {
  it("takes discovery, the provider's endpoints and the interactions, and leaves the rest to Next.js and the API", () => {
    for (const path of ["/.well-known/openid-configuration", "/.well-known/oauth-authorization-server", "/oauth/auth", "/oauth/auth/abc", "/oauth/token", "/oauth/token/revocation", "/oauth/token/introspection", "/oauth/me", "/oauth/session/end"]) {
      expect(oauthPathKind(path), path).toBe("provider");
    }
    expect(oauthPathKind("/oauth/interaction/Zvcr_IMVxRxXOMivX-lSrS")).toBe("interaction");
    for (const path of ["/oauth/consent", "/oauth/interaction/", "/oauth/interaction/a/b", "/oauth/tokenx", "/.well-known/jwks.json", "/auth/login/", "/auth", "/login", "/"]) {
      expect(oauthPathKind(path), path).toBeNull();
    }
  });
});

describe("loadOidcKey (OIDC_RSA_PRIVATE_KEY)", () => {
  const pem = (key: ReturnType<typeof generateKeyPairSync>["privateKey"]) => key.export({ type: "pkcs8", format: "pem" }).toString();

  it("reads an RSA key as PEM or JWK, with kid = its RFC 7638 thumbprint, and publishes no private member", async () => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const fromPem = await loadOidcKey(pem(privateKey));
    const fromJwk = await loadOidcKey(JSON.stringify(privateKey.export({ format: "jwk" })));
    expect(fromPem!.publicJwk).toEqual(fromJwk!.publicJwk);
    expect(Object.keys(fromPem!.publicJwk).sort()).toEqual(["alg", "e", "kid", "kty", "n", "use"]);
    expect(fromPem!.privateJwk).toMatchObject({ kid: fromPem!.publicJwk.kid, alg: "RS256", use: "sig" });
    expect(await loadOidcKey(undefined)).toBeNull();
  });

  it("refuses what is not a private RSA key of 2048 bits or more, without quoting it", async () => {
    const ec = pem(generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey);
    const small = pem(generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey);
    for (const material of [ec, small, "not a key"]) {
      const error = await loadOidcKey(material).catch((e: unknown) => e as Error);
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toMatch(/^OIDC_RSA_PRIVATE_KEY /);
      expect((error as Error).message).not.toContain("PRIVATE KEY-----");
    }
  });
});
