import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { base64url, createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify, SignJWT, type JWTPayload } from "jose";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";

// Configuration is read once per process, so the environment is set before anything calls config().
const dir = mkdtempSync(path.join(tmpdir(), "auth-access-test-"));
const edKey = generateKeyPairSync("ed25519");
const ecKey = generateKeyPairSync("ec", { namedCurve: "P-256" });
const pkcs8 = (key: KeyObject) => key.export({ type: "pkcs8", format: "pem" }).toString();
const clockFile = path.join(dir, "clock");
Object.assign(process.env, {
  JWT_PRIVATE_KEY: pkcs8(edKey.privateKey),
  APP_URL: "https://auth.example.test",
  AUTH_SECRET: "s".repeat(40),
  DATA_DIR: dir,
  AUTH_TEST_CLOCK_FILE: clockFile,
  LOG_LEVEL: "silent",
});
const initialEnv = { ...process.env };

const { issueAccessToken, verifyAccessToken } = await import("./access");
const { bearerTokenFrom } = await import("@/lib/http/authorization");
const { loadSigningKey, publicJwks, signingKey } = await import("./keys");
type PublicJwk = import("./keys").PublicJwk;

const USER = { id: 42, email: "ada@example.com", verified: true, role: "user" };
const SID = "9f1c2d3e-session";
const TTL = 900;

// lib/clock.ts reads the offset file on every call.
const setClockOffset = (ms: number) => writeFileSync(clockFile, String(ms));

const rejected = (token: string) =>
  expect(verifyAccessToken(token)).rejects.toMatchObject({ name: "AppError", code: "ACCESS_TOKEN_INVALID" });

async function validPayload(): Promise<JWTPayload> {
  return decodeJwt((await issueAccessToken(USER, SID)).token);
}

async function signWithServiceKey(payload: JWTPayload): Promise<string> {
  const key = await signingKey();
  return new SignJWT(payload).setProtectedHeader({ alg: key.alg, kid: key.kid, typ: "JWT" }).sign(key.privateKey);
}

afterEach(() => setClockOffset(0));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("issueAccessToken", () => {
  it("carries exactly the contract's claims and a header naming the key", async () => {
    const before = Math.floor(Date.now() / 1000);
    const issued = await issueAccessToken(USER, SID);
    const payload = decodeJwt(issued.token);
    const header = decodeProtectedHeader(issued.token);
    const { kid } = (await signingKey()).publicJwk;

    expect(Object.keys(payload).sort()).toEqual(
      ["aud", "email", "email_verified", "exp", "iat", "id", "iss", "jti", "role", "sid", "sub", "token_type"].sort(),
    );
    expect(payload).toMatchObject({
      sub: "42",
      id: 42,
      email: "ada@example.com",
      email_verified: true,
      role: "user",
      token_type: "access",
      iss: "https://auth.example.test",
      aud: "https://auth.example.test/auth",
      sid: SID,
      jti: issued.jti,
    });
    expect(payload.iat).toBeGreaterThanOrEqual(before);
    expect(payload.exp! - payload.iat!).toBe(TTL);
    expect(issued.expiresAt.getTime()).toBe(payload.exp! * 1000);
    expect(header).toEqual({ alg: "EdDSA", kid, typ: "JWT" });
  });

  it("gives every token its own jti", async () => {
    const [a, b] = await Promise.all([issueAccessToken(USER, SID), issueAccessToken(USER, SID)]);
    expect(a.jti).not.toBe(b.jti);
  });

  it("takes iat and exp from the service clock", async () => {
    setClockOffset(3_600_000);
    const payload = await validPayload();
    expect(payload.iat).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000) + 3_599);
  });

  it("names the session in sid", async () => {
    const { token } = await issueAccessToken(USER, "session-1");
    expect(decodeJwt(token).sid).toBe("session-1");
    expect(await verifyAccessToken(token)).toMatchObject({ sid: "session-1" });
  });
});

describe("verifyAccessToken", () => {
  it("returns the claims of a token it issued", async () => {
    const { token } = await issueAccessToken({ ...USER, verified: false, role: "admin" }, SID);
    expect(await verifyAccessToken(token)).toEqual(decodeJwt(token));
  });

  it('rejects alg "none"', async () => {
    const { kid } = await signingKey();
    const encode = (v: unknown) => base64url.encode(JSON.stringify(v));
    const payload = await validPayload();
    await rejected(`${encode({ alg: "none", typ: "JWT", kid })}.${encode(payload)}.`);
    await rejected(`${encode({ alg: "none", typ: "JWT" })}.${encode(payload)}.`);
  });

  it("rejects HS256 using the public key as the HMAC secret", async () => {
    const { kid, publicJwk } = await signingKey();
    const payload = await validPayload();
    const spkiPem = edKey.publicKey.export({ type: "spki", format: "pem" }).toString();
    const secrets: Uint8Array[] = [spkiPem, JSON.stringify(publicJwk), publicJwk.x].map((s) => new TextEncoder().encode(s));
    secrets.push(base64url.decode(publicJwk.x));
    for (const secret of secrets) {
      const forged = await new SignJWT(payload).setProtectedHeader({ alg: "HS256", kid, typ: "JWT" }).sign(secret);
      await rejected(forged);
    }
  });

  it("rejects a token signed by another Ed25519 key, even one claiming our kid", async () => {
    const other = await loadSigningKey(pkcs8(generateKeyPairSync("ed25519").privateKey));
    const { kid } = await signingKey();
    const payload = await validPayload();
    for (const headerKid of [kid, other.kid]) {
      const forged = await new SignJWT(payload).setProtectedHeader({ alg: "EdDSA", kid: headerKid, typ: "JWT" }).sign(other.privateKey);
      await rejected(forged);
    }
  });

  it("rejects a token without a kid", async () => {
    const key = await signingKey();
    const token = await new SignJWT(await validPayload()).setProtectedHeader({ alg: key.alg, typ: "JWT" }).sign(key.privateKey);
    await rejected(token);
  });

  it("rejects tokens of another type, issuer or shape, even when signed with our key", async () => {
    const payload = await validPayload();
    await rejected(await signWithServiceKey({ ...payload, token_type: "refresh" }));
    const { token_type: _omitted, ...withoutType } = payload;
    await rejected(await signWithServiceKey(withoutType));
    await rejected(await signWithServiceKey({ ...payload, iss: "https://elsewhere.example" }));
    await rejected(await signWithServiceKey({ ...payload, aud: "https://other-api.example" }));
    const { sid: _sid, ...withoutSession } = payload;
    await rejected(await signWithServiceKey(withoutSession));
    await rejected(await signWithServiceKey({ ...payload, sub: "43" }));
    await rejected(await signWithServiceKey({ ...payload, id: "42" }));
    await rejected(await signWithServiceKey({ ...payload, exp: payload.iat! + 365 * 86_400 }));
  });

  it("accepts a token until it expires, allowing a little clock skew, then rejects it", async () => {
    const { token } = await issueAccessToken(USER, SID);
    setClockOffset((TTL - 5) * 1000);
    await expect(verifyAccessToken(token)).resolves.toMatchObject({ id: 42 });
    setClockOffset((TTL + 10) * 1000);
    await expect(verifyAccessToken(token)).resolves.toMatchObject({ id: 42 });
    setClockOffset((TTL + 60) * 1000);
    await rejected(token);
  });

  it("remembers a verified token by its exact text only, and refuses it from memory once it expires", async () => {
    const { token } = await issueAccessToken(USER, SID);
    const first = await verifyAccessToken(token);
    expect(first).toMatchObject({ id: 42 });
    // The same claims object: the second use was answered from memory.
    expect(await verifyAccessToken(token)).toBe(first);
    const [header, payload, signature] = token.split(".") as [string, string, string];
    const flipped = signature.slice(0, -2) + (signature.at(-2) === "A" ? "B" : "A") + signature.at(-1);
    await rejected(`${header}.${payload}.${flipped}`);
    // A payload of the remembered token's with another user and session, under its genuine signature.
    const forged = base64url.encode(JSON.stringify({ ...decodeJwt(token), id: 43, sub: "43", sid: "another-session" }));
    await rejected(`${header}.${forged}.${signature}`);
    await expect(verifyAccessToken(token)).resolves.toBe(first);
    setClockOffset((TTL + 60) * 1000);
    await rejected(token);
    setClockOffset(0);
    // Forgotten once refused: verified afresh (and accepted again at the right time).
    const again = await verifyAccessToken(token);
    expect(again).toMatchObject({ id: 42 });
    expect(again).not.toBe(first);
  });

  it("rejects a token issued in the future", async () => {
    setClockOffset(5 * 60_000);
    const { token } = await issueAccessToken(USER, SID);
    setClockOffset(0);
    await rejected(token);
  });

  it("rejects malformed and tampered tokens", async () => {
    const { token } = await issueAccessToken(USER, SID);
    const [header, , signature] = token.split(".");
    const tamperedPayload = base64url.encode(JSON.stringify({ ...decodeJwt(token), role: "admin" }));
    const flipped = signature!.startsWith("A") ? `B${signature!.slice(1)}` : `A${signature!.slice(1)}`;
    for (const bad of [
      "",
      "abc",
      "a.b.c",
      "..",
      `${token}.`,
      `${header}.${tamperedPayload}.${signature}`,
      `${token.split(".").slice(0, 2).join(".")}.${flipped}`,
      token + "x".repeat(10_000),
    ]) {
      await rejected(bad);
    }
    await rejected(undefined as unknown as string);
  });
});

describe("keys", () => {
  it("publishes only the public half, with kid = RFC 7638 thumbprint", async () => {
    const jwks = await publicJwks();
    // The access tokens' key, then the OpenID provider's RS256 ID-token key (generated under DATA_DIR in development).
    expect(jwks.keys.map((k) => k.alg)).toEqual(["EdDSA", "RS256"]);
    expect(Object.keys(jwks.keys[1]!).sort()).toEqual(["alg", "e", "kid", "kty", "n", "use"]);
    const [jwk] = jwks.keys as PublicJwk[];
    expect(Object.keys(jwk!).sort()).toEqual(["alg", "crv", "kid", "kty", "use", "x"]);
    expect(jwk).toMatchObject({ kty: "OKP", crv: "Ed25519", use: "sig", alg: "EdDSA" });
    expect(jwk!.x).toBe(edKey.publicKey.export({ format: "jwk" }).x);
    expect(JSON.stringify(jwks)).not.toContain('"d"');
  });

  it("lets another service verify our tokens from the JWKS alone", async () => {
    const { token } = await issueAccessToken(USER, SID);
    const jwks = createLocalJWKSet(await publicJwks());
    const { payload } = await jwtVerify(token, jwks, { issuer: "https://auth.example.test" });
    expect(payload.sub).toBe("42");
  });

  it("serves the JWKS at /.well-known/jwks.json as a bare, cacheable document", async () => {
    const { GET, POST } = await import("@/app/.well-known/jwks.json/route");
    const res = await GET(new Request("http://localhost/.well-known/jwks.json"));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(res.headers.get("cache-control")).toBe("public, max-age=300");
    expect(await res.json()).toEqual(await publicJwks());
    expect((await POST(new Request("http://localhost/.well-known/jwks.json", { method: "POST" }))).status).toBe(405);
  });

  it("loads a P-256 key from PEM or JWK as the same ES256 key", async () => {
    const fromPem = await loadSigningKey(pkcs8(ecKey.privateKey));
    const fromJwk = await loadSigningKey(JSON.stringify(ecKey.privateKey.export({ format: "jwk" })));
    expect(fromPem.alg).toBe("ES256");
    expect(fromJwk.publicJwk).toEqual(fromPem.publicJwk);
    expect(Object.keys(fromPem.publicJwk).sort()).toEqual(["alg", "crv", "kid", "kty", "use", "x", "y"]);
    expect(fromPem.publicJwk).toMatchObject({ kty: "EC", crv: "P-256", use: "sig", alg: "ES256" });
  });

  it("loads an Ed25519 JWK, and a PEM pasted with literal \\n", async () => {
    const fromPem = await signingKey();
    const fromJwk = await loadSigningKey(JSON.stringify(edKey.privateKey.export({ format: "jwk" })));
    const oneLine = await loadSigningKey(pkcs8(edKey.privateKey).replace(/\n/g, "\\n"));
    expect(fromJwk.publicJwk).toEqual(fromPem.publicJwk);
    expect(oneLine.kid).toBe(fromPem.kid);
  });

  it("refuses unsupported or unreadable keys without quoting them", async () => {
    const rsa = pkcs8(generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey);
    const p384 = pkcs8(generateKeyPairSync("ec", { namedCurve: "P-384" }).privateKey);
    await expect(loadSigningKey(rsa)).rejects.toThrow(/Ed25519 or P-256 key \(got rsa\)/);
    await expect(loadSigningKey(p384)).rejects.toThrow(/got ec secp384r1/);
    const publicPem = edKey.publicKey.export({ type: "spki", format: "pem" }).toString();
    for (const bad of ["not a key", publicPem, '{"kty":"OKP","crv":"Ed25519","x":"abc"}']) {
      const error = await loadSigningKey(bad).then(
        () => new Error("loaded"),
        (e: unknown) => e as Error,
      );
      expect(error).toMatchObject({ name: "SigningKeyError" });
      expect(error.message).not.toContain(bad.slice(0, 20));
    }
  });
});

describe("with an ES256 key configured", () => {
  async function freshModules(jwtPrivateKey: string) {
    vi.resetModules();
    process.env.JWT_PRIVATE_KEY = jwtPrivateKey;
    return { ...(await import("./access")), ...(await import("./keys")) };
  }
  afterAll(() => {
    process.env.JWT_PRIVATE_KEY = initialEnv.JWT_PRIVATE_KEY;
    vi.resetModules();
  });

  for (const [form, material] of [
    ["PEM", () => pkcs8(ecKey.privateKey)],
    ["JWK", () => JSON.stringify(ecKey.privateKey.export({ format: "jwk" }))],
  ] as const) {
    it(`issues and verifies ES256 tokens (key as ${form})`, async () => {
      const es = await freshModules(material());
      const { token } = await es.issueAccessToken(USER, SID);
      expect(decodeProtectedHeader(token)).toEqual({ alg: "ES256", kid: (await es.signingKey()).kid, typ: "JWT" });
      expect(await es.verifyAccessToken(token)).toMatchObject({ sub: "42", token_type: "access" });
      const jwks = await es.publicJwks();
      expect(jwks.keys[0]).toMatchObject({ kty: "EC", crv: "P-256", alg: "ES256" });
      expect(jwks.keys[0]).not.toHaveProperty("d");
      // A token from the Ed25519 key configured earlier is not accepted by this key.
      const { token: edToken } = await issueAccessToken(USER, SID);
      await expect(es.verifyAccessToken(edToken)).rejects.toMatchObject({ code: "ACCESS_TOKEN_INVALID" });
    });
  }
});

describe("bearerTokenFrom", () => {
  const from = (value?: string) => bearerTokenFrom(new Headers(value === undefined ? {} : { authorization: value }));

  it("reads Token and Bearer schemes, case-insensitively", () => {
    expect(from("Token abc.def.ghi")).toBe("abc.def.ghi");
    expect(from("Bearer abc.def.ghi")).toBe("abc.def.ghi");
    expect(from("bearer abc")).toBe("abc");
    expect(from("TOKEN abc")).toBe("abc");
    expect(from("  Bearer   abc  ")).toBe("abc");
  });

  it("gives null for anything else", () => {
    for (const value of [undefined, "", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "abc", "Bearer a b", "Tokenabc", "JWT abc"]) {
      expect(from(value)).toBeNull();
    }
  });
});
