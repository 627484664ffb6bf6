import { describe, expect, it } from "vitest";
import { fieldErrorsOf } from "./parse";
import { AddPasskeyFormSchema, SecondStepRecoveryFormSchema, TotpCodeFormSchema, TurnOffTwoFactorFormSchema } from "./forms";

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
