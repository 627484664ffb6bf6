import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "./env";
import { parseSignupFields } from "./signup-fields";

describe("SIGNUP_FIELDS", () => {
  it("names fields, a trailing ? making one optional", () => {
    expect(parseSignupFields("name,mobile?,dob?,role")).toEqual({
      fields: { name: "required", mobile: "optional", dob: "optional", role: "required" },
    });
    expect(parseSignupFields(" Name? , DOB ")).toEqual({ fields: { name: "optional", dob: "required" } });
    expect(parseSignupFields("")).toEqual({ fields: {} });
  });

  it("refuses unknown and repeated names, saying which", () => {
    expect(parseSignupFields("name,phone")).toEqual({ problem: expect.stringContaining('"phone" is not one of name, mobile, dob, role') });
    expect(parseSignupFields("name,name?")).toEqual({ problem: expect.stringContaining('"name" is named twice') });
  });

  describe("in the configuration", () => {
    const env = {
      AUTH_SECRET: "x".repeat(40),
      JWT_PRIVATE_KEY: generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
      DATABASE_URL: "file:./data/unused.db",
    };

    it("defaults to the name, required", () => {
      expect(parseConfig(env).signupFields).toEqual({ name: "required" });
    });

    it("is read from the environment, and a wrong value stops the start with the reason", () => {
      expect(parseConfig({ ...env, SIGNUP_FIELDS: "mobile?,role" }).signupFields).toEqual({ mobile: "optional", role: "required" });
      expect(parseConfig({ ...env, SIGNUP_FIELDS: "" }).signupFields).toEqual({});
      expect(() => parseConfig({ ...env, SIGNUP_FIELDS: "name,age" })).toThrow(ConfigError);
      expect(() => parseConfig({ ...env, SIGNUP_FIELDS: "name,age" })).toThrow(/SIGNUP_FIELDS: "age" is not one of/);
    });
  });
});
