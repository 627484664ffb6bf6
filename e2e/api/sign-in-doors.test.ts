import { describe, expect, it } from "vitest";
import { api, randomIp } from "./client";
import { postFormAction } from "./helpers";

/**
 * The browser's doors into a sign-in are limited as the API's are: they go through the same
 * decision (lib/auth/sign-in.ts), which counts what it asks.
 */

const secondStep = (ip: string) =>
  postFormAction("/login/two-factor", "secondStepCodeAction", { code: "123456", next: "/profile" }, { "x-forwarded-for": ip, cookie: "auth.second-step=nope" });

describe("the browser's second step", () => {
  it("counts in the client address's verify group, shared with the API's second step: the 31st in 5 minutes waits", async () => {
    const ip = randomIp();
    for (let i = 0; i < 30; i++) {
      const res = await secondStep(ip);
      // A token that can no longer succeed starts the sign-in over.
      expect(res.headers.get("x-action-redirect"), `request ${i + 1}`).toMatch(/^\/login\?error=SignInAgain/);
    }
    const limited = await secondStep(ip);
    expect(limited.headers.get("x-action-redirect")).toBeNull();
    expect(await limited.text()).toMatch(/Too many tries\. Wait \d+ (seconds|minutes) and try again\./);
    const api2fa = await api("POST", "/auth/login/2fa/", { json: { mfa_token: "nope", code: "123456" }, headers: { "x-forwarded-for": ip } });
    expect(api2fa.status).toBe(429);
  });
});
