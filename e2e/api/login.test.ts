import { createHash, pbkdf2Sync, randomBytes } from "node:crypto";
import { hash as argon2Hash, type Algorithm } from "@node-rs/argon2";
import bcrypt from "bcryptjs";
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from "jose";
import { afterEach, describe, expect, it } from "vitest";
import { api, baseUrl, randomIp } from "./client";
import {
  authHeader,
  codeIn,
  execSql,
  expectMailCount,
  googleRegisteredUser,
  jwtPayload,
  registeredVerifiedUser,
  resetTokenIn,
  setClockOffset,
  STRONG_PASSWORD,
  uniqueEmail,
  waitForMail,
} from "./helpers";

/** The merged login of both documents: `POST /auth/login` (= `/auth/login/`). */

const DESCRIPTION = "Invaild Email / Password. Try again";
const UNKNOWN_EMAIL = {
  success: false,
  is_verified: false,
  tokens: {},
  errors: { email: ["E-mail doesn't exists"], description: DESCRIPTION },
};
const WRONG_PASSWORD = {
  success: false,
  is_verified: false,
  tokens: {},
  errors: { password: ["Password mismatch"], description: DESCRIPTION },
};

const login = (email: string, password: string, path = "/auth/login") => api("POST", path, { json: { email, password } });

afterEach(() => setClockOffset(0));

describe("POST /auth/login", () => {
  it("answers a verified account with the exact merged body", async () => {
    const { email, password, userId } = await registeredVerifiedUser();
    const res = await login(email, password);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({
      success: true,
      message: "login_success",
      is_verified: true,
      tokens: { access_token: expect.any(String), refresh: expect.any(String) },
      user: { email, token: res.body.tokens.access_token, userid: userId },
      errors: {},
    });
    expect(res.headers.get("cache-control")).toMatch(/no-store/);
  });

  it("answers on /auth/login/ too, directly", async () => {
    const { email, password } = await registeredVerifiedUser();
    const res = await login(email, password, "/auth/login/");
    expect(res.status, res.text).toBe(200);
    expect(res.body.message).toBe("login_success");
  });

  it("matches the e-mail case-insensitively and ignores surrounding space", async () => {
    const { email, password } = await registeredVerifiedUser();
    expect((await login(email.toUpperCase(), password)).status).toBe(200);
    expect((await login(`  ${email} `, password)).status).toBe(200);
  });

  it("does not trim or case-fold the password", async () => {
    const { email, password } = await registeredVerifiedUser();
    expect((await login(email, ` ${password}`)).body).toEqual(WRONG_PASSWORD);
    expect((await login(email, password.toUpperCase())).body).toEqual(WRONG_PASSWORD);
  });

  it("answers an unknown e-mail with the exact 400 body", async () => {
    const res = await login(uniqueEmail("nobody"), STRONG_PASSWORD);
    expect(res.status).toBe(400);
    expect(res.body).toEqual(UNKNOWN_EMAIL);
  });

  it("answers a wrong password with the exact 400 body", async () => {
    const { email } = await registeredVerifiedUser();
    const res = await login(email, "not the password at all");
    expect(res.status).toBe(400);
    expect(res.body).toEqual(WRONG_PASSWORD);
  });

  it("spends about as long on an unknown e-mail as on a wrong password", async () => {
    const { email } = await registeredVerifiedUser();
    const time = async (address: string) => {
      const started = performance.now();
      await login(address, "not the password at all");
      return performance.now() - started;
    };
    const unknown: number[] = [];
    const wrong: number[] = [];
    for (let i = 0; i < 7; i++) {
      unknown.push(await time(uniqueEmail("nobody")));
      wrong.push(await time(email));
    }
    // A password hash costs tens of milliseconds, a bare database miss a few. The fastest of
    // several tries is each path's own cost, least disturbed by whatever else the machine does.
    expect(Math.min(...unknown)).toBeGreaterThan(Math.min(...wrong) * 0.5);
  });

  it.each([
    ["email", { password: STRONG_PASSWORD }],
    ["password", { email: "someone@example.test" }],
  ])("answers a missing %s with the field error", async (field, body) => {
    const res = await api("POST", "/auth/login", { json: body });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ success: false, is_verified: false, tokens: {}, errors: { [field]: ["This field is required."] } });
  });

  it("answers an empty body with both field errors", async () => {
    const res = await api("POST", "/auth/login", { json: {} });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      success: false,
      is_verified: false,
      tokens: {},
      errors: { email: ["This field is required."], password: ["This field is required."] },
    });
  });

  it("answers blank fields and a malformed e-mail with DRF's messages", async () => {
    const blank = await api("POST", "/auth/login", { json: { email: "", password: "" } });
    expect(blank.body.errors).toEqual({ email: ["This field may not be blank."], password: ["This field may not be blank."] });
    const malformed = await login("not-an-email", STRONG_PASSWORD);
    expect(malformed.body).toEqual({ success: false, is_verified: false, tokens: {}, errors: { email: ["Enter a valid email address."] } });
  });
});

describe("an unverified account", () => {
  it("logs in with is_verified: false, and the register e-mail's code stays valid within 60 s", async () => {
    const email = uniqueEmail("unverified");
    expect((await api("POST", "/auth/register/", { json: { email, password: STRONG_PASSWORD } })).status).toBe(200);
    const code = codeIn(await waitForMail(email));

    const res = await login(email, STRONG_PASSWORD);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ success: true, message: "login_success", is_verified: false, errors: {} });
    expect(res.body.tokens.access_token).toEqual(res.body.user.token);
    expect("otp" in res.body).toBe(false);
    await expectMailCount(email, 1);
    expect((await api("POST", "/auth/verify/otp/", { json: { email, otp: code } })).status).toBe(200);
  });

  it("gets a new code by e-mail after 60 s, and a second login within 60 s sends none", async () => {
    const email = uniqueEmail("unverified");
    expect((await api("POST", "/auth/register/", { json: { email, password: STRONG_PASSWORD } })).status).toBe(200);
    const first = codeIn(await waitForMail(email));

    setClockOffset(61_000);
    const res = await login(email, STRONG_PASSWORD);
    expect(res.status, res.text).toBe(200);
    expect(res.body.is_verified).toBe(false);
    const second = codeIn(await waitForMail(email, 2));

    const again = await login(email, STRONG_PASSWORD);
    expect(again.status).toBe(200);
    expect(again.body.is_verified).toBe(false);
    await expectMailCount(email, 2);

    if (first !== second) expect((await api("POST", "/auth/verify/otp/", { json: { email, otp: first } })).status).toBe(400);
    const verified = await api("POST", "/auth/verify/otp/", { json: { email, otp: second } });
    expect(verified.status, verified.text).toBe(200);
    const after = await login(email, STRONG_PASSWORD);
    expect(after.body.is_verified).toBe(true);
  });
});

describe("the access token", () => {
  it("carries the contract's claims and verifies against the published JWKS", async () => {
    const { email, password, userId } = await registeredVerifiedUser();
    const res = await login(email, password);
    const token = res.body.tokens.access_token as string;

    const claims = jwtPayload(token);
    expect(claims).toMatchObject({
      sub: String(userId),
      id: userId,
      email,
      email_verified: true,
      role: "user",
      token_type: "access",
      iat: expect.any(Number),
      exp: expect.any(Number),
      jti: expect.any(String),
    });
    expect(typeof claims.id).toBe("number");
    expect(claims.exp - claims.iat).toBe(900);
    expect(Math.abs(claims.iat - Date.now() / 1000)).toBeLessThan(60);

    const jwksRes = await fetch(`${baseUrl()}/.well-known/jwks.json`);
    expect(jwksRes.status).toBe(200);
    const jwks = (await jwksRes.json()) as JSONWebKeySet;
    expect(jwks.keys.length).toBeGreaterThan(0);
    for (const key of jwks.keys) {
      expect(key).not.toHaveProperty("d");
      // The access tokens' key, and the OpenID provider's ID-token key (ADR 015).
      expect(["EdDSA", "ES256", "RS256"]).toContain(key.alg);
    }
    const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(jwks), { algorithms: ["EdDSA", "ES256"] });
    expect(payload.sub).toBe(String(userId));
    expect(jwks.keys.map((k) => k.kid)).toContain(protectedHeader.kid);
  });

  it("says email_verified: false for an unverified account, and each token has its own jti", async () => {
    const email = uniqueEmail("claims");
    await api("POST", "/auth/register/", { json: { email, password: STRONG_PASSWORD } });
    const a = jwtPayload((await login(email, STRONG_PASSWORD)).body.tokens.access_token);
    const b = jwtPayload((await login(email, STRONG_PASSWORD)).body.tokens.access_token);
    expect(a.email_verified).toBe(false);
    expect(a.jti).not.toBe(b.jti);
  });

  it("works on GET /auth/me/", async () => {
    const { email, password, userId } = await registeredVerifiedUser();
    const token = (await login(email, password)).body.tokens.access_token;
    const me = await api("GET", "/auth/me/", { headers: authHeader(token, "Token") });
    expect(me.status).toBe(200);
    expect(me.body.user.userid).toBe(userId);
  });
});

describe("failed logins", () => {
  // The growing wait is per (account, client address): each test speaks from one address.
  const from = (ip: string) => (email: string, password: string) =>
    api("POST", "/auth/login", { json: { email, password }, headers: { "x-forwarded-for": ip } });

  async function failTenTimes(email: string, ip: string, expected: unknown = WRONG_PASSWORD) {
    for (let i = 0; i < 10; i++) expect((await from(ip)(email, `wrong password ${i}`)).body).toEqual(expected);
  }

  it("make the account wait after 10 in a row from one address (429 with Retry-After), even with the right password", async () => {
    const { email, password } = await registeredVerifiedUser();
    const ip = randomIp();
    await failTenTimes(email, ip);
    const res = await from(ip)(email, password);
    expect(res.status, res.text).toBe(429);
    const retryAfter = Number(res.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(30);
    expect(res.body).toMatchObject({
      success: false,
      errors: { errors: [`Too many requests. Try again in ${retryAfter} seconds.`] },
    });
  });

  it("never lock the owner out from another address", async () => {
    const { email, password } = await registeredVerifiedUser();
    const attacker = randomIp();
    await failTenTimes(email, attacker);
    expect((await from(attacker)(email, password)).status).toBe(429);
    expect((await from(randomIp())(email, password)).status).toBe(200);
  });

  it("wait the same way for an address that has no account", async () => {
    const email = uniqueEmail("nobody");
    const ip = randomIp();
    await failTenTimes(email, ip, UNKNOWN_EMAIL);
    expect((await from(ip)(email, STRONG_PASSWORD)).status).toBe(429);
  });

  it("double the wait with each further failure, up to 15 minutes", async () => {
    const { email } = await registeredVerifiedUser();
    const ip = randomIp();
    await failTenTimes(email, ip);
    const waits: number[] = [];
    let elapsed = 0;
    for (let i = 0; i < 7; i++) {
      const limited = await from(ip)(email, "still wrong");
      expect(limited.status).toBe(429);
      const wait = Number(limited.headers.get("retry-after"));
      waits.push(wait);
      elapsed += (wait + 1) * 1000;
      setClockOffset(elapsed);
      expect((await from(ip)(email, "still wrong")).status).toBe(400);
    }
    expect(waits.map((w) => Math.round(w / 30) * 30)).toEqual([30, 60, 120, 240, 480, 900, 900]);
  });

  it("check at most 10 passwords from one address before the wait, however many guesses arrive at once", async () => {
    const { email, password } = await registeredVerifiedUser();
    const ip = randomIp();
    const results = await Promise.all(Array.from({ length: 25 }, (_, i) => from(ip)(email, `wrong password ${i}`)));
    for (const r of results) expect([400, 429]).toContain(r.status);
    // Each 400 is a guess that was checked against the password.
    expect(results.filter((r) => r.status === 400).length).toBeLessThanOrEqual(10);
    expect((await from(ip)(email, password)).status).toBe(429);
  });

  it("never lock for good: after the wait the right password works and clears the streak", async () => {
    const { email, password } = await registeredVerifiedUser();
    const ip = randomIp();
    await failTenTimes(email, ip);
    expect((await from(ip)(email, password)).status).toBe(429);
    setClockOffset(31_000);
    expect((await from(ip)(email, password)).status).toBe(200);
    // The streak is cleared: one more wrong password is an ordinary failure, not a wait.
    expect((await from(ip)(email, "wrong again")).body).toEqual(WRONG_PASSWORD);
    expect((await from(ip)(email, password)).status).toBe(200);
  });

  it("are cleared by a password reset", async () => {
    const { email } = await registeredVerifiedUser();
    const ip = randomIp();
    await failTenTimes(email, ip);
    expect((await from(ip)(email, STRONG_PASSWORD)).status).toBe(429);

    expect((await api("POST", "/auth/generate-link", { json: { email, request_type: 3 } })).status).toBe(200);
    const token = resetTokenIn(await waitForMail(email, 2));
    const newPassword = "a brand new passphrase";
    const reset = await api("POST", "/auth/reset-password", { headers: authHeader(token!, "Token"), json: { password: newPassword } });
    expect(reset.status, reset.text).toBe(200);
    expect((await from(ip)(email, newPassword)).status).toBe(200);
  });
});

describe("password spraying from many addresses", () => {
  it("stops after 100 failures a day for the account, except from addresses that signed in to it lately", async () => {
    const { email, password } = await registeredVerifiedUser();
    const home = randomIp();
    expect((await api("POST", "/auth/login", { json: { email, password }, headers: { "x-forwarded-for": home } })).status).toBe(200);

    // 100 guesses, each from an address of its own: no streak ever reaches a wait.
    for (let batch = 0; batch < 10; batch++) {
      const guesses = await Promise.all(Array.from({ length: 10 }, (_, i) => login(email, `spray ${batch}-${i}`)));
      expect(guesses.map((g) => g.status)).toEqual(Array(10).fill(400));
    }
    const sprayed = await login(email, "one more");
    expect(sprayed.status, sprayed.text).toBe(429);
    expect(Number(sprayed.headers.get("retry-after"))).toBeGreaterThan(23 * 3600);
    // Even the right password, from an address the account does not know.
    expect((await login(email, password)).status).toBe(429);
    // The owner's own address still gets in.
    expect((await api("POST", "/auth/login", { json: { email, password }, headers: { "x-forwarded-for": home } })).status).toBe(200);
    // The window ends after 24 hours.
    setClockOffset(24 * 3600_000 + 1000);
    expect((await login(email, password)).status).toBe(200);
  });

  it("counts the same ceiling for an address without an account", async () => {
    const email = uniqueEmail("nobody");
    for (let batch = 0; batch < 10; batch++) {
      await Promise.all(Array.from({ length: 10 }, (_, i) => login(email, `spray ${batch}-${i}`)));
    }
    expect((await login(email, "one more")).status).toBe(429);
  });
});

describe("client addresses", () => {
  it("count IPv6 clients per /64 network: a new address in the same network is the same client", async () => {
    const { email } = await registeredVerifiedUser();
    const site = `2001:db8:${randomBytes(2).toString("hex")}`;
    const from = (address: string, password: string) => api("POST", "/auth/login", { json: { email, password }, headers: { "x-forwarded-for": address } });
    for (let i = 0; i < 10; i++) expect((await from(`${site}:1::${i + 1}`, `wrong ${i}`)).status).toBe(400);
    expect((await from(`${site}:1:ffff:1:2:3`, STRONG_PASSWORD)).status).toBe(429);
    expect((await from(`${site}:0001:0:0:0:9`, STRONG_PASSWORD)).status).toBe(429);
    expect((await from(`${site}:2::1`, STRONG_PASSWORD)).status).toBe(200);
  });
});

describe("an account without a password (Google only)", () => {
  it("answers a password login like an unknown e-mail", async () => {
    const { email } = await googleRegisteredUser();
    const res = await login(email, STRONG_PASSWORD);
    expect(res.status).toBe(400);
    expect(res.body).toEqual(UNKNOWN_EMAIL);
  });
});

describe("Unicode passwords", () => {
  it("compare after NFKC normalisation: a full-width or decomposed spelling is the same password", async () => {
    const email = uniqueEmail("nfkc");
    // U+FF50… full-width letters, and "é" as e + combining acute: NFKC turns both into plain text.
    const typed = "ｐａｓｓｗｏｒｄ ｆｏｒ cafe\u0301 lovers";
    const normal = "password for café lovers";
    expect((await api("POST", "/auth/register/", { json: { email, password: typed } })).status).toBe(200);
    expect((await login(email, normal)).status).toBe(200);
    expect((await login(email, typed)).status).toBe(200);
  });

  it("count length in code points: seven emoji are seven characters, too short", async () => {
    const res = await api("POST", "/auth/register/", { json: { email: uniqueEmail("emoji"), password: "🔑🗝🔒🔓🛡🧩🎲" } });
    expect(res.status).toBe(400);
    expect(res.body.errors.password).toEqual(["This password is too short. It must contain at least 8 characters."]);
  });

  it("still accept a hash stored from the unnormalised text, and re-hash it to the normal form", async () => {
    const { email } = await registeredVerifiedUser();
    const typed = "ｆｕｌｌ ｗｉｄｔｈ passphrase";
    const legacy = await argon2Hash(typed, { algorithm: 2 as Algorithm, memoryCost: 19456, timeCost: 2, parallelism: 1 });
    await execSql(`UPDATE "User" SET "passwordHash" = $1 WHERE "email" = $2`, [legacy, email]);
    expect((await login(email, typed)).status).toBe(200);
    const [row] = await execSql<{ passwordHash: string }>(`SELECT "passwordHash" FROM "User" WHERE "email" = $1`, [email]);
    expect(row!.passwordHash).not.toBe(legacy);
    // Now stored as the normal form: the plain spelling works too.
    expect((await login(email, "full width passphrase")).status).toBe(200);
  });
});

describe("accounts imported from the Django service", () => {
  const password = "an imported passphrase";
  const sha256Hex = (s: string) => createHash("sha256").update(s, "utf8").digest("hex");
  const formats: Array<[string, () => Promise<string>]> = [
    ["pbkdf2_sha256", async () => {
      const salt = randomBytes(9).toString("hex");
      return `pbkdf2_sha256$1000$${salt}$${pbkdf2Sync(password, salt, 1000, 32, "sha256").toString("base64")}`;
    }],
    ["argon2 (Django)", async () => `argon2${await argon2Hash(password, { algorithm: 2 as Algorithm, memoryCost: 512, timeCost: 1, parallelism: 1 })}`],
    ["bcrypt_sha256 (Django)", async () => `bcrypt_sha256$${bcrypt.hashSync(sha256Hex(password), 4)}`],
    ["bcrypt (Django)", async () => `bcrypt$${bcrypt.hashSync(password, 4)}`],
    ["bcrypt $2b$", async () => bcrypt.hashSync(password, 4)],
    ["bcrypt $2a$", async () => bcrypt.hashSync(password, 4).replace(/^\$2b\$/, "$2a$")],
  ];

  it.each(formats)("log in with a %s hash, which is then re-hashed to Argon2id", async (_format, make) => {
    const { email } = await registeredVerifiedUser();
    const legacy = await make();
    await execSql(`UPDATE "User" SET "passwordHash" = $1 WHERE "email" = $2`, [legacy, email]);

    expect((await login(email, "not the imported one")).body).toEqual(WRONG_PASSWORD);
    const res = await login(email, password);
    expect(res.status, res.text).toBe(200);
    const [row] = await execSql<{ passwordHash: string }>(`SELECT "passwordHash" FROM "User" WHERE "email" = $1`, [email]);
    expect(row!.passwordHash).toMatch(/^\$argon2id\$v=19\$m=\d+,t=\d+,p=\d+\$/);
    expect(row!.passwordHash).not.toBe(legacy);
    expect((await login(email, password)).status).toBe(200);
  });
});

describe("the per-address limit on login", () => {
  it("allows 30 requests per 5 minutes from one address, then 429; other addresses are unaffected", async () => {
    const ip = randomIp();
    const attempt = (forwardedFor: string) =>
      api("POST", "/auth/login", { json: { email: uniqueEmail("nobody"), password: STRONG_PASSWORD }, headers: { "x-forwarded-for": forwardedFor } });
    const first = await Promise.all(Array.from({ length: 30 }, () => attempt(ip)));
    expect(first.map((r) => r.status)).toEqual(Array(30).fill(400));

    // Behind one trusted proxy the client is the rightmost address; what stands left of it the
    // client wrote itself, so a new value there per request changes nothing.
    const limited = await attempt(`${randomIp()}, ${ip}`);
    expect(limited.status, limited.text).toBe(429);
    const retryAfter = Number(limited.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(300);
    expect(limited.body).toEqual({
      success: false,
      is_verified: false,
      tokens: {},
      errors: { errors: [`Too many requests. Try again in ${retryAfter} seconds.`] },
    });
    expect((await attempt(`${ip}, ${randomIp()}`)).status).toBe(400);

    expect((await attempt(randomIp())).status).toBe(400);
    setClockOffset(5 * 60_000 + 1000);
    expect((await attempt(ip)).status).toBe(400);
  });
});
