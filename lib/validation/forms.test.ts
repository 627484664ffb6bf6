import { describe, expect, it } from "vitest";
import { fieldErrorsOf, issuesOf } from "./parse";
import { AddPasskeyFormSchema, NewClientFormSchema, SecondStepRecoveryFormSchema, signUpFormSchema, TotpCodeFormSchema, TurnOffTwoFactorFormSchema } from "./forms";

const errors = (result: { success: boolean; error?: Parameters<typeof fieldErrorsOf>[0] }) => (result.error ? fieldErrorsOf(result.error) : {});

describe("the account centre's code fields", () => {
  it("take an authenticator code as apps show it, and only six digits", () => {
    expect(TotpCodeFormSchema.parse({ code: " 123 456 " })).toEqual({ code: "123456" });
    for (const code of ["12345", "1234567", "12a456", "", undefined, 123456]) {
      expect(errors(TotpCodeFormSchema.safeParse({ code })), String(code)).toEqual({ code: ["Enter the 6-digit code from your authenticator app."] });
    }
  });

  it("tell an authenticator code from a recovery code when either will do", () => {
    expect(TurnOffTwoFactorFormSchema.parse({ code: "123 456" })).toEqual({ code: "123456" });
    expect(TurnOffTwoFactorFormSchema.parse({ code: " abcde-fghjk " })).toEqual({ code: "abcde-fghjk" });
    expect(errors(TurnOffTwoFactorFormSchema.safeParse({ code: "  " }))).toEqual({ code: ["Enter a code from your authenticator app, or a recovery code."] });
  });

  it("want a recovery code that is there", () => {
    expect(SecondStepRecoveryFormSchema.parse({ recoveryCode: "ABCDE-FGHJK", next: "/profile" })).toEqual({ recoveryCode: "ABCDE-FGHJK", next: "/profile" });
    expect(errors(SecondStepRecoveryFormSchema.safeParse({ recoveryCode: "" }))).toEqual({ recoveryCode: ["Enter one of your recovery codes."] });
  });
});

describe("the WebAuthn answer in a form field", () => {
  it("is a JSON object, or the passkey is refused", () => {
    expect(AddPasskeyFormSchema.parse({ name: "Laptop", response: '{"id":"abc"}' })).toEqual({ name: "Laptop", response: { id: "abc" } });
    for (const response of [undefined, "", "[]", "null", "{", "x".repeat(70_000)]) {
      expect(errors(AddPasskeyFormSchema.safeParse({ name: "", response })), String(response).slice(0, 10)).toEqual({
        response: ["The passkey could not be verified. Please try again."],
      });
    }
  });
});

describe("the sign-up form, as SIGNUP_FIELDS asks", () => {
  const base = { email: "Ada@Example.com", password: "a long passphrase", confirmPassword: "a long passphrase" };
  const codes = (result: { error?: Parameters<typeof issuesOf>[0] }) =>
    Object.fromEntries((result.error ? issuesOf(result.error) : []).map((issue) => [issue.field, issue.code]));

  it("by default asks for the name only, and drops the other fields", () => {
    const schema = signUpFormSchema(8);
    expect(schema.parse({ ...base, name: " Ada ", mobile: "not a number", dob: "nope", roleId: "x" })).toEqual({ ...base, email: "ada@example.com", name: "Ada" });
    expect(codes(schema.safeParse({ ...base, name: "" }))).toEqual({ name: "BLANK" });
    expect(codes(schema.safeParse(base))).toEqual({ name: "REQUIRED" });
  });

  it("asks for nothing more with an empty setting", () => {
    expect(signUpFormSchema(8, {}).parse({ ...base, name: "Ada" })).toEqual({ ...base, email: "ada@example.com" });
  });

  it("requires what is required, and checks an optional field only when it is filled in", () => {
    const schema = signUpFormSchema(8, { name: "required", mobile: "optional", dob: "optional", role: "required" });
    expect(schema.parse({ ...base, name: "Ada", mobile: "", dob: " ", roleId: "2" })).toEqual({ ...base, email: "ada@example.com", name: "Ada", roleId: 2 });
    expect(schema.parse({ ...base, name: "Ada", mobile: "+44 20 7946 0958", dob: "1990-01-12", roleId: "2" })).toMatchObject({
      mobile: "+44 20 7946 0958",
      dob: "1990-01-12",
    });
    expect(codes(schema.safeParse({ ...base, name: "Ada", mobile: "12", dob: "1990-02-30", roleId: "" }))).toEqual({
      mobile: "INVALID_MOBILE",
      dob: "INVALID_DATE",
      roleId: "INVALID_CHOICE",
    });
  });

  it("takes no role when the role is optional and none was chosen", () => {
    const schema = signUpFormSchema(8, { role: "optional", mobile: "required" });
    expect(schema.parse({ ...base, roleId: "", mobile: "76765757" })).toEqual({ ...base, email: "ada@example.com", mobile: "76765757" });
    expect(codes(schema.safeParse({ ...base, roleId: "" }))).toEqual({ mobile: "REQUIRED" });
  });

  it("still wants the password typed twice alike", () => {
    expect(codes(signUpFormSchema(8).safeParse({ ...base, name: "Ada", confirmPassword: "another" }))).toEqual({ confirmPassword: "PASSWORDS_DIFFER" });
  });
});

describe("the console's new app (an OpenID client)", () => {
  const form = { name: " Example Planner ", type: "confidential", redirectUris: " https://planner.example.test/cb \r\n\n http://127.0.0.1:8080/cb ", postLogoutRedirectUris: "" };

  it("takes one URI a line, blank lines aside, and a checkbox as the browser (\"on\") or react-hook-form (true) sends it", () => {
    expect(NewClientFormSchema.parse({ ...form, firstParty: "on", clientCredentials: true })).toEqual({
      name: "Example Planner",
      type: "confidential",
      redirectUris: ["https://planner.example.test/cb", "http://127.0.0.1:8080/cb"],
      postLogoutRedirectUris: [],
      clientCredentials: true,
      firstParty: true,
    });
    expect(NewClientFormSchema.parse({ ...form, type: "public" })).toMatchObject({ type: "public", clientCredentials: false, firstParty: false });
  });

  it("wants a redirect URI, each absolute and without a fragment, a known type, and no client credentials without a secret", () => {
    expect(errors(NewClientFormSchema.safeParse({ ...form, redirectUris: " \n " }))).toEqual({ redirectUris: ["This field is required."] });
    expect(errors(NewClientFormSchema.safeParse({ ...form, redirectUris: "https://a.example/cb\n/relative" }))).toEqual({
      redirectUris: ['"/relative" is not an absolute URI without a fragment.'],
    });
    expect(errors(NewClientFormSchema.safeParse({ ...form, postLogoutRedirectUris: "https://a.example/#x" }))).toEqual({
      postLogoutRedirectUris: ['"https://a.example/#x" is not an absolute URI without a fragment.'],
    });
    expect(Object.keys(errors(NewClientFormSchema.safeParse({ ...form, type: "secret" })))).toEqual(["type"]);
    expect(errors(NewClientFormSchema.safeParse({ ...form, type: "public", clientCredentials: "on" }))).toEqual({
      clientCredentials: ["A public client cannot use the client credentials grant."],
    });
  });
});
