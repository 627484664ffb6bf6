import { createHmac } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { generateKeyPair, SignJWT } from "jose";
import { OAuth2Server, type Payload } from "oauth2-mock-server";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { acceptedIssuers, resetGoogleKeyCache, verifyGoogleIdToken } from "./id-token";

/**
 * The verifier against a real OpenID issuer on 127.0.0.1 (oauth2-mock-server): discovery, JWKS
 * fetching and key rotation run over HTTP exactly as they do against Google.
 */

const CLIENT_IDS = ["web-client", "android-client", "ios-client"];
const dataDir = mkdtempSync(path.join(tmpdir(), "google-id-token-test-"));
// config() is read on the first verification, after beforeAll has set GOOGLE_ISSUER.
process.env.DATA_DIR = dataDir;
process.env.GOOGLE_CLIENT_ID = CLIENT_IDS.join(",");
process.env.LOG_LEVEL = "silent";

const server = new OAuth2Server();
let issuer = "";
const RSA_KID = "rsa-1";
const EC_KID = "ec-1";
const RS384_KID = "rs384-1";

beforeAll(async () => {
  await server.issuer.keys.generate("RS256", { kid: RSA_KID });
  await server.issuer.keys.generate("ES256", { kid: EC_KID });
  await server.issuer.keys.generate("RS384", { kid: RS384_KID });
  await server.start(0, "127.0.0.1");
  // The mock names itself "localhost"; pin the address so discovery, tokens and config agree.
  issuer = `http://127.0.0.1:${server.address().port}`;
  server.issuer.url = issuer;
  process.env.GOOGLE_ISSUER = issuer;
});

afterAll(async () => {
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

afterEach(() => {
  vi.useRealTimers();
});

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** Claims Google puts in an id_token; `undefined` in `claims` removes one. */
async function idToken(claims: Record<string, unknown> = {}, options: { kid?: string } = {}): Promise<string> {
  return server.issuer.buildToken({
    kid: options.kid ?? RSA_KID,
    scopesOrTransform: (_header, payload: Payload) => {
      const all: Record<string, unknown> = {
        aud: "web-client",
        azp: "web-client",
        sub: "110169484474386276334",
        email: "Person@Example.TEST",
        email_verified: true,
        name: "Test Person",
        ...claims,
      };
      for (const [key, value] of Object.entries(all)) {
        if (value === undefined) delete payload[key];
        else payload[key] = value;
      }
    },
  });
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

/** GOOGLE_TOKEN_INVALID on `idToken`; `reason` matches the underlying check's message, so a test cannot pass for the wrong reason. */
async function expectInvalid(promise: Promise<unknown>, reason?: RegExp) {
  const error = await promise.then(
    () => expect.fail("the token was accepted"),
    (e: unknown) => e as { cause?: Error },
  );
  expect(error).toMatchObject({
    code: "GOOGLE_TOKEN_INVALID",
    issues: [{ field: "idToken", message: "The Token is invalid or has expired" }],
  });
  if (reason) expect(error.cause?.message).toMatch(reason);
}

describe("verifyGoogleIdToken: accepted tokens", () => {
  for (const aud of CLIENT_IDS) {
    it(`accepts a token for the ${aud} audience`, async () => {
      const identity = await verifyGoogleIdToken(await idToken({ aud, azp: aud }));
      expect(identity).toEqual({
        issuer,
        subject: "110169484474386276334",
        email: "person@example.test",
        emailVerified: true,
        name: "Test Person",
      });
    });
  }

  it("accepts an ES256-signed token", async () => {
    const identity = await verifyGoogleIdToken(await idToken({}, { kid: EC_KID }));
    expect(identity.subject).toBe("110169484474386276334");
  });

  it('accepts email_verified as the string "true"', async () => {
    await expect(verifyGoogleIdToken(await idToken({ email_verified: "true" }))).resolves.toMatchObject({ emailVerified: true });
  });

  it("leaves the name out when the token has none", async () => {
    const identity = await verifyGoogleIdToken(await idToken({ name: undefined }));
    expect(identity).not.toHaveProperty("name");
  });

  it("tolerates 60 s of clock skew", async () => {
    const t = nowSeconds();
    await expect(verifyGoogleIdToken(await idToken({ exp: t - 30, iat: t - 3630 }))).resolves.toBeDefined();
    await expect(verifyGoogleIdToken(await idToken({ nbf: t + 30, iat: t + 30 }))).resolves.toBeDefined();
  });

  it("accepts several audiences when the authorized party is one of ours", async () => {
    await expect(verifyGoogleIdToken(await idToken({ aud: ["web-client", "someone-else"], azp: "android-client" }))).resolves.toBeDefined();
  });

  it("knows both spellings of Google's issuer", () => {
    expect(acceptedIssuers("https://accounts.google.com")).toEqual(["https://accounts.google.com", "accounts.google.com"]);
    expect(acceptedIssuers("https://issuer.example")).toEqual(["https://issuer.example"]);
  });
});

describe("verifyGoogleIdToken: rejected tokens", () => {
  it("rejects an expired token", async () => {
    const t = nowSeconds();
    await expectInvalid(verifyGoogleIdToken(await idToken({ iat: t - 3700, exp: t - 100 })), /"exp" claim/);
  });

  it("rejects a token that is not valid yet (nbf in the future)", async () => {
    await expectInvalid(verifyGoogleIdToken(await idToken({ nbf: nowSeconds() + 120 })), /"nbf" claim/);
  });

  it("rejects a token issued in the future (iat)", async () => {
    await expectInvalid(verifyGoogleIdToken(await idToken({ iat: nowSeconds() + 120, nbf: undefined })), /iat is in the future/);
  });

  it("rejects a token without exp", async () => {
    await expectInvalid(verifyGoogleIdToken(await idToken({ exp: undefined })), /missing required "exp"/);
  });

  it("rejects another client's audience", async () => {
    await expectInvalid(verifyGoogleIdToken(await idToken({ aud: "someone-else", azp: "someone-else" })), /"aud" claim/);
  });

  it("rejects several audiences when the authorized party is not ours", async () => {
    await expectInvalid(verifyGoogleIdToken(await idToken({ aud: ["web-client", "someone-else"], azp: "someone-else" })), /azp/);
  });

  it("rejects another issuer", async () => {
    await expectInvalid(verifyGoogleIdToken(await idToken({ iss: "https://accounts.evil.example" })), /"iss" claim/);
  });

  it("rejects a token signed with a key the issuer does not publish", async () => {
    const { privateKey } = await generateKeyPair("RS256");
    const token = await new SignJWT({ aud: "web-client", sub: "1", email: "a@example.test", email_verified: true })
      .setProtectedHeader({ alg: "RS256", kid: "not-published" })
      .setIssuer(issuer)
      .setIssuedAt()
      .setExpirationTime("1h")
      .sign(privateKey);
    await expectInvalid(verifyGoogleIdToken(token), /no applicable key/);
  });

  it("rejects a token signed by a foreign key that claims a published kid", async () => {
    const { privateKey } = await generateKeyPair("RS256");
    const token = await new SignJWT({ aud: "web-client", sub: "1", email: "a@example.test", email_verified: true })
      .setProtectedHeader({ alg: "RS256", kid: RSA_KID })
      .setIssuer(issuer)
      .setIssuedAt()
      .setExpirationTime("1h")
      .sign(privateKey);
    await expectInvalid(verifyGoogleIdToken(token), /signature verification failed/);
  });

  it("rejects a tampered payload", async () => {
    const [header, , signature] = (await idToken()).split(".");
    const forged = b64({ iss: issuer, aud: "web-client", sub: "1", email: "admin@example.test", email_verified: true, iat: nowSeconds(), exp: nowSeconds() + 3600 });
    await expectInvalid(verifyGoogleIdToken(`${header}.${forged}.${signature}`), /signature verification failed/);
  });

  it("rejects a tampered signature", async () => {
    const [header, payload, signature] = (await idToken()).split(".");
    const flipped = Buffer.from(signature!, "base64url");
    flipped[0]! ^= 0xff;
    await expectInvalid(verifyGoogleIdToken(`${header}.${payload}.${flipped.toString("base64url")}`), /signature verification failed/);
  });

  it("rejects an unverified e-mail", async () => {
    await expectInvalid(verifyGoogleIdToken(await idToken({ email_verified: false })), /not verified/);
    await expectInvalid(verifyGoogleIdToken(await idToken({ email_verified: "false" })), /not verified/);
    await expectInvalid(verifyGoogleIdToken(await idToken({ email_verified: undefined })), /not verified/);
  });

  it("rejects a token without an e-mail or with a malformed one", async () => {
    await expectInvalid(verifyGoogleIdToken(await idToken({ email: undefined })), /email is missing/);
    await expectInvalid(verifyGoogleIdToken(await idToken({ email: "not-an-address" })), /email is missing or malformed/);
  });

  it("rejects a token without a subject", async () => {
    await expectInvalid(verifyGoogleIdToken(await idToken({ sub: undefined })), /missing required "sub"/);
    await expectInvalid(verifyGoogleIdToken(await idToken({ sub: "" })), /sub is missing/);
  });

  it('rejects alg "none"', async () => {
    const t = nowSeconds();
    const unsigned = `${b64({ alg: "none", kid: RSA_KID })}.${b64({ iss: issuer, aud: "web-client", sub: "1", email: "a@example.test", email_verified: true, iat: t, exp: t + 3600 })}.`;
    await expectInvalid(verifyGoogleIdToken(unsigned), /not allowed/);
  });

  it("rejects HS256 (a MAC keyed with something public)", async () => {
    const t = nowSeconds();
    const signingInput = `${b64({ alg: "HS256", kid: RSA_KID })}.${b64({ iss: issuer, aud: "web-client", sub: "1", email: "a@example.test", email_verified: true, iat: t, exp: t + 3600 })}`;
    const mac = createHmac("sha256", "web-client").update(signingInput).digest("base64url");
    await expectInvalid(verifyGoogleIdToken(`${signingInput}.${mac}`), /not allowed/);
  });

  it("rejects an algorithm outside RS256/ES256 even with a published key", async () => {
    await expectInvalid(verifyGoogleIdToken(await idToken({}, { kid: RS384_KID })), /not allowed/);
  });

  it("rejects garbage", async () => {
    await expectInvalid(verifyGoogleIdToken("not.a.jwt"));
    await expectInvalid(verifyGoogleIdToken("x"));
  });
});

describe("verifyGoogleIdToken: keys", () => {
  it("picks up a key the issuer adds after the first fetch, once the refetch cooldown has passed", async () => {
    resetGoogleKeyCache();
    await expect(verifyGoogleIdToken(await idToken())).resolves.toBeDefined();

    await server.issuer.keys.generate("RS256", { kid: "rsa-rotated" });
    // Right after a fetch an unknown kid does not trigger another one: made-up kids cannot make
    // us hammer the issuer.
    await expectInvalid(verifyGoogleIdToken(await idToken({}, { kid: "rsa-rotated" })), /no applicable key/);

    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 31_000);
    const identity = await verifyGoogleIdToken(await idToken({ sub: "rotated-subject" }, { kid: "rsa-rotated" }));
    expect(identity.subject).toBe("rotated-subject");
  });
});

describe("verifyGoogleIdToken: configuration and issuer failures", () => {
  // Each case loads a fresh copy of the module (and of the configuration it reads lazily).
  let saved: NodeJS.ProcessEnv | undefined;
  async function freshVerifier(env: Record<string, string>) {
    saved = { ...process.env };
    Object.assign(process.env, env);
    vi.resetModules();
    return (await import("./id-token")).verifyGoogleIdToken;
  }
  afterEach(() => {
    if (saved) process.env = saved;
    saved = undefined;
  });

  async function stoppedIssuerUrl(): Promise<string> {
    const stopped = new OAuth2Server();
    await stopped.start(0, "127.0.0.1");
    const url = `http://127.0.0.1:${stopped.address().port}`;
    await stopped.stop();
    return url;
  }

  it("rejects every token when no client id is configured, without asking the issuer", async () => {
    // The issuer is unreachable: asking it would answer 503, so a 400 shows nothing was fetched.
    const verify = await freshVerifier({ GOOGLE_CLIENT_ID: "", GOOGLE_ISSUER: await stoppedIssuerUrl() });
    await expectInvalid(verify(await idToken()));
  });

  it("rejects malformed and unsigned tokens without asking the issuer", async () => {
    const verify = await freshVerifier({ GOOGLE_ISSUER: await stoppedIssuerUrl() });
    await expectInvalid(verify("not.a.jwt"));
    const t = nowSeconds();
    await expectInvalid(verify(`${b64({ alg: "none" })}.${b64({ sub: "1", iat: t, exp: t + 60 })}.`), /not allowed/);
  });

  it("answers 503, not 400, when the issuer cannot be reached", async () => {
    const verify = await freshVerifier({ GOOGLE_ISSUER: await stoppedIssuerUrl() });
    await expect(verify(await idToken())).rejects.toMatchObject({ code: "SERVICE_UNAVAILABLE" });
  });

  it("answers 503 when the discovery document names another issuer", async () => {
    const verify = await freshVerifier({ GOOGLE_ISSUER: issuer.replace("127.0.0.1", "localhost") });
    await expect(verify(await idToken())).rejects.toMatchObject({ code: "SERVICE_UNAVAILABLE" });
  });
});
