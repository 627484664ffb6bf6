import { describe, expect, it } from "vitest";
import { AppError, rateLimited } from "@/lib/errors";
import { translator } from "@/lib/i18n/catalog";
import { formStateFromError } from "./form-state";

const form = (entries: Record<string, string>) => {
  const data = new FormData();
  for (const [k, v] of Object.entries(entries)) data.set(k, v);
  return data;
};
const en = await translator("en", "errors");

describe("formStateFromError", () => {
  it("asks the browser to confirm it's you for REAUTHENTICATION_REQUIRED, and only then", () => {
    const state = formStateFromError(new AppError("REAUTHENTICATION_REQUIRED"), form({ email: "a@example.test" }), en);
    expect(state).toMatchObject({ status: "error", reauthenticate: true, message: "Confirm it's you first.", values: { email: "a@example.test" } });
    expect(formStateFromError(new AppError("INVALID_CODE", { field: "code" }), form({}), en).reauthenticate).toBeUndefined();
    expect(formStateFromError(rateLimited(30), form({}), en).reauthenticate).toBeUndefined();
  });

  it("never echoes a secret: passwords, codes (the e-mailed `otp` too), tokens", () => {
    const state = formStateFromError(new AppError("INVALID_CODE", { field: "code" }), form({ password: "p", otp: "123456", code: "654321", token: "t", name: "Ada" }), en);
    expect(state.values).toEqual({ name: "Ada" });
    expect(state.fieldErrors).toEqual({ code: [en("INVALID_CODE")] });
  });

  it("speaks the page's words, not the API's legacy ones, with the error's values", () => {
    const wrongCode = formStateFromError(new AppError("OTP_INVALID", { field: "code" }), form({}), en);
    expect(wrongCode.fieldErrors).toEqual({ code: ["That code isn't right. Check the latest e-mail or send a new code."] });
    const taken = formStateFromError(new AppError("EMAIL_TAKEN", { field: "email", params: { email: "ada@example.com" } }), form({}), en);
    expect(taken.fieldErrors?.email?.[0]).toContain("ada@example.com");
    expect(taken.fieldErrors?.email?.[0]).not.toContain("register with us");
    expect(formStateFromError(rateLimited(30), form({}), en).message).toBe("Too many tries. Wait 30 seconds and try again.");
    // A field with words of its own for a code: the e-mailed code is no authenticator's, a new address is no sign-up.
    expect(formStateFromError(new AppError("INVALID_CODE", { field: "otp" }), form({}), en).fieldErrors).toEqual({ otp: [en("OTP_INVALID")] });
    const newEmail = formStateFromError(new AppError("EMAIL_TAKEN", { field: "newEmail", params: { email: "ada@example.com" } }), form({}), en);
    expect(newEmail.fieldErrors?.newEmail?.[0]).toMatch(/ada@example\.com\. Choose another address\.$/);
    expect(formStateFromError(rateLimited(300), form({}), en).message).toBe("Too many tries. Wait 5 minutes and try again.");
    expect(formStateFromError(rateLimited(61 * 60), form({}), en).message).toBe("Too many tries. Wait 61 minutes and try again.");
  });
});
