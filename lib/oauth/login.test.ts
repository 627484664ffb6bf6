import { describe, expect, it } from "vitest";
import { ACR, emailFromLoginHint, maxAgeOf, needsNewProof, providerLoginOf, sameLogin } from "./login";

const at = (iso: string) => new Date(iso);
const user = { id: 42 } as never;

describe("providerLoginOf", () => {
  it("gives the browser session's last proof as auth_time (seconds), amr (RFC 8176) and acr", () => {
    expect(providerLoginOf({ user, proof: { methods: ["password"], provedAt: at("2026-12-05T10:00:00.900Z") } })).toEqual({
      accountId: "42",
      ts: Date.parse("2026-12-05T10:00:00Z") / 1000,
      amr: ["pwd"],
      acr: ACR.singleFactor,
    });
    expect(providerLoginOf({ user, proof: { methods: ["password", "totp"], provedAt: at("2026-12-05T10:00:00Z") } })).toMatchObject({ amr: ["pwd", "otp", "mfa"], acr: ACR.multiFactor });
    expect(providerLoginOf({ user, proof: { methods: ["passkey", "user-verification"], provedAt: at("2026-12-05T10:00:00Z") } })).toMatchObject({ amr: ["hwk", "mfa"], acr: ACR.multiFactor });
    expect(providerLoginOf({ user, proof: { methods: ["passkey"], provedAt: at("2026-12-05T10:00:00Z") } })).toMatchObject({ amr: ["hwk"], acr: ACR.singleFactor });
    expect(providerLoginOf({ user, proof: { methods: ["google"], provedAt: at("2026-12-05T10:00:00Z") } })).toMatchObject({ amr: ["fed"], acr: ACR.singleFactor });
  });
});

describe("sameLogin", () => {
  const login = { accountId: "42", ts: 100, amr: ["pwd"], acr: ACR.singleFactor };
  it("is true only when the provider's session says the same account, time, amr and acr", () => {
    expect(sameLogin({ accountId: "42", loginTs: 100, amr: ["pwd"], acr: ACR.singleFactor }, login)).toBe(true);
    expect(sameLogin({}, login)).toBe(false);
    expect(sameLogin({ accountId: "43", loginTs: 100, amr: ["pwd"], acr: ACR.singleFactor }, login)).toBe(false);
    expect(sameLogin({ accountId: "42", loginTs: 99, amr: ["pwd"], acr: ACR.singleFactor }, login)).toBe(false);
    expect(sameLogin({ accountId: "42", loginTs: 100, amr: ["pwd", "otp", "mfa"], acr: ACR.singleFactor }, login)).toBe(false);
  });
});

describe("needsNewProof", () => {
  const requestedAt = Date.parse("2026-12-05T10:00:00Z") / 1000;
  const now = at("2026-12-05T10:00:30Z");
  const proved = (iso: string) => ({ provedAt: at(iso) });

  it("asks nothing when the app asked for no fresh proof", () => {
    expect(needsNewProof(["no_session"], proved("2020-01-01T00:00:00Z"), { requestedAt }, now)).toBe(false);
  });

  it("takes for prompt=login only a proof made since the request (to the second), whatever max_age says", () => {
    expect(needsNewProof(["login_prompt"], proved("2026-12-05T09:59:59.999Z"), { requestedAt }, now)).toBe(true);
    expect(needsNewProof(["login_prompt"], proved("2026-12-05T10:00:00.000Z"), { requestedAt }, now)).toBe(false);
    expect(needsNewProof(["login_prompt", "max_age"], proved("2026-12-05T09:59:50Z"), { requestedAt, maxAge: 3600 }, now)).toBe(true);
  });

  it("takes for max_age a proof within that many seconds, or one made since the request (max_age=0)", () => {
    expect(needsNewProof(["max_age"], proved("2026-12-05T09:59:40Z"), { requestedAt, maxAge: 60 }, now)).toBe(false);
    expect(needsNewProof(["max_age"], proved("2026-12-05T09:58:00Z"), { requestedAt, maxAge: 60 }, now)).toBe(true);
    expect(needsNewProof(["max_age"], proved("2026-12-05T09:59:59Z"), { requestedAt, maxAge: 0 }, now)).toBe(true);
    expect(needsNewProof(["max_age"], proved("2026-12-05T10:00:10Z"), { requestedAt, maxAge: 0 }, now)).toBe(false);
  });
});

describe("maxAgeOf and emailFromLoginHint", () => {
  it("read max_age as a number of seconds", () => {
    expect(maxAgeOf({ max_age: "0" })).toBe(0);
    expect(maxAgeOf({ max_age: 300 })).toBe(300);
    expect(maxAgeOf({})).toBeUndefined();
  });

  it("pre-fill only what looks like an address", () => {
    expect(emailFromLoginHint(" ada@example.com ")).toBe("ada@example.com");
    expect(emailFromLoginHint("ada")).toBeUndefined();
    expect(emailFromLoginHint(`${"a".repeat(250)}@example.com`)).toBeUndefined();
    expect(emailFromLoginHint(undefined)).toBeUndefined();
  });
});
