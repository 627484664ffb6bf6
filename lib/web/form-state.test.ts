import { describe, expect, it } from "vitest";
import { AppError, rateLimited } from "@/lib/errors";
import { formStateFromError } from "./form-state";

const form = (entries: Record<string, string>) => {
  const data = new FormData();
  for (const [k, v] of Object.entries(entries)) data.set(k, v);
  return data;
};

describe("formStateFromError", () => {
  it("asks the browser to confirm it's you for REAUTHENTICATION_REQUIRED, and only then", () => {
    const state = formStateFromError(new AppError("REAUTHENTICATION_REQUIRED"), form({ email: "a@example.test" }));
    expect(state).toMatchObject({ status: "error", reauthenticate: true, message: "Confirm it's you first.", values: { email: "a@example.test" } });
    expect(formStateFromError(new AppError("INVALID_CODE", { field: "code" }), form({})).reauthenticate).toBeUndefined();
    expect(formStateFromError(rateLimited(30), form({})).reauthenticate).toBeUndefined();
  });

  it("never echoes a secret: passwords, codes (the e-mailed `otp` too), tokens", () => {
    const state = formStateFromError(new AppError("INVALID_CODE", { field: "otp" }), form({ password: "p", otp: "123456", code: "654321", token: "t", name: "Ada" }));
    expect(state.values).toEqual({ name: "Ada" });
    expect(state.fieldErrors).toEqual({ otp: ["Invalid code"] });
  });
});
