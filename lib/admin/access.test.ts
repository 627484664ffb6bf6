import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { parseConfig } from "@/lib/config/env";
import { adminAccessOf } from "./access";

const on = new Date("2026-01-01T00:00:00Z");

describe("who may use the operator's console", () => {
  it("an admin with two-factor on may; one without is sent to set it up; anyone else may not", () => {
    expect(adminAccessOf({ roleName: "admin", totpEnabledAt: on }, true)).toBe("admin");
    expect(adminAccessOf({ roleName: "admin", totpEnabledAt: null }, true)).toBe("needs_two_factor");
    expect(adminAccessOf({ roleName: "user", totpEnabledAt: on }, true)).toBe("not_admin");
  });

  it("without the two-factor requirement an admin may act with a password alone", () => {
    expect(adminAccessOf({ roleName: "admin", totpEnabledAt: null }, false)).toBe("admin");
    expect(adminAccessOf({ roleName: "user", totpEnabledAt: null }, false)).toBe("not_admin");
  });

  it("ADMIN_REQUIRE_TWO_FACTOR is on unless set to a false value", () => {
    const env = {
      AUTH_SECRET: "x".repeat(40),
      JWT_PRIVATE_KEY: generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
      OIDC_RSA_PRIVATE_KEY: "unused here",
      DATABASE_URL: "file:./data/unused.db",
      APP_URL: "https://auth.example.com",
    };
    expect(parseConfig(env).adminRequireTwoFactor).toBe(true);
    expect(parseConfig({ ...env, ADMIN_REQUIRE_TWO_FACTOR: "false" }).adminRequireTwoFactor).toBe(false);
    expect(parseConfig({ ...env, ADMIN_REQUIRE_TWO_FACTOR: "true" }).adminRequireTwoFactor).toBe(true);
  });
});
