import { readFileSync } from "node:fs";
import { afterEach, describe, expect, inject, it } from "vitest";
import { api } from "./client";
import {
  authHeader,
  codeIn,
  confirmTokenIn,
  resetTokenIn,
  setClockOffset,
  signedUpUser,
  STRONG_PASSWORD,
  uniqueEmail,
  waitForMail,
} from "./helpers";

/**
 * The server log (one JSON object per line) never carries a secret: this file runs the flows that
 * handle passwords, codes and tokens, then reads the log of the whole run so far.
 */

// Keys whose values are ids, times and counters, where four digits in a row mean nothing.
const NOISY_KEYS = new Set(["time", "requestId", "ms", "ip", "id", "userId", "sessionId", "attempts", "retryAt", "status", "url", "appliedMigrations", "consecutiveFailures", "deleted", "port"]);

/** Four-digit codes are too short to grep for blindly: look for them in the values that could carry one. */
function valuesCarrying(code: string, value: unknown, key = ""): string[] {
  if (NOISY_KEYS.has(key)) return [];
  if (typeof value === "string") return new RegExp(`(^|\\D)${code}(\\D|$)`).test(value) ? [`${key}=${value.slice(0, 120)}`] : [];
  if (typeof value === "number") return value === Number(code) ? [`${key}=${value}`] : [];
  if (value && typeof value === "object") return Object.entries(value).flatMap(([k, v]) => valuesCarrying(code, v, k));
  return [];
}

async function waitForLogLine(logFile: string, needle: string) {
  const deadline = Date.now() + 10_000;
  while (!readFileSync(logFile, "utf8").includes(needle)) {
    if (Date.now() > deadline) throw new Error(`the server log never mentioned ${needle}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

afterEach(() => setClockOffset(0));

describe("the server log", () => {
  it("is JSON on every line and never carries a password, token or code the clients saw", async () => {
    const secrets: string[] = [STRONG_PASSWORD, "ngdfcdhg@123"];
    const codes: string[] = [];
    const password = `log test passphrase ${Math.random().toString(36).slice(2)}`;
    const newPassword = `new log passphrase ${Math.random().toString(36).slice(2)}`;
    secrets.push(password, newPassword);

    // Register, verify by code after a wrong one, log in (right and wrong), refresh, reuse, logout.
    const email = uniqueEmail("logs");
    const reg = await api("POST", "/auth/register/", { json: { email, password } });
    expect(reg.status).toBe(200);
    secrets.push(reg.body.tokens.access_token, reg.body.tokens.refresh);
    const regMail = await waitForMail(email);
    codes.push(codeIn(regMail)!);
    secrets.push(confirmTokenIn(regMail)!);
    await api("POST", "/auth/verify/otp/", { json: { email, otp: codeIn(regMail) === "0000" ? "0001" : "0000" } });
    const verified = await api("POST", "/auth/verify/otp/", { json: { email, otp: codeIn(regMail) } });
    expect(verified.status).toBe(200);
    secrets.push(verified.body.tokens.access_token, verified.body.tokens.refresh);

    const login = await api("POST", "/auth/login", { json: { email, password } });
    secrets.push(login.body.tokens.access_token, login.body.tokens.refresh);
    await api("POST", "/auth/login", { json: { email, password: `${password}-wrong` } });
    await api("POST", `/auth/login?password=${encodeURIComponent(password)}&token=${login.body.tokens.refresh}`, { json: {} });
    const rotated = await api("POST", "/auth/token/refresh/", { json: { refresh: login.body.tokens.refresh } });
    secrets.push(rotated.body.tokens.access_token, rotated.body.tokens.refresh);
    await api("POST", "/auth/token/refresh/", { json: { refresh: login.body.tokens.refresh } }); // reuse: logged as a warning
    await api("POST", "/auth/logout/", { json: { refresh: verified.body.tokens.refresh } });
    await api("GET", "/auth/me/", { headers: authHeader(verified.body.tokens.access_token, "Token") });
    await api("GET", "/auth/me/", { headers: authHeader(`${verified.body.tokens.access_token}x`) });

    // A code sent again, then a reset link, a weak and a good new password, a password change.
    const other = uniqueEmail("logs-resend");
    await api("POST", "/auth/register/", { json: { email: other, password } });
    codes.push(codeIn(await waitForMail(other))!);
    setClockOffset(61_000);
    await api("POST", "/auth/resend/otp/", { json: { email: other } });
    codes.push(codeIn(await waitForMail(other, 2))!);

    await api("POST", "/auth/generate-link", { json: { email, request_type: 3 } });
    const resetToken = resetTokenIn(await waitForMail(email, 2))!;
    secrets.push(resetToken);
    await api("POST", "/auth/reset-password", { headers: authHeader(resetToken, "Token"), json: { password: "short" } });
    const reset = await api("POST", "/auth/reset-password", { headers: authHeader(resetToken, "Token"), json: { password: newPassword } });
    expect(reset.status).toBe(200);
    setClockOffset(0);
    const again = await api("POST", "/auth/login", { json: { email, password: newPassword } });
    secrets.push(again.body.tokens.access_token, again.body.tokens.refresh);
    const changedTo = `changed log passphrase ${Math.random().toString(36).slice(2)}`;
    secrets.push(changedTo);
    await api("POST", "/auth/password/change/", {
      headers: authHeader(again.body.tokens.access_token),
      json: { old_password: newPassword, new_password: changedTo },
    });

    // The Django sign-up and its confirmation link.
    const signedUp = await signedUpUser({ password });
    const signupMail = await waitForMail(signedUp.email);
    codes.push(codeIn(signupMail)!);
    secrets.push(confirmTokenIn(signupMail)!);
    const confirmed = await api("POST", "/auth/confirm-user", { headers: authHeader(confirmTokenIn(signupMail)!, "Token") });
    expect(confirmed.status).toBe(200);

    const logFile = inject("logFile");
    await waitForLogLine(logFile, confirmed.headers.get("x-request-id")!);
    const text = readFileSync(logFile, "utf8");
    const lines = text.split("\n").filter((l) => l.trim() !== "");
    expect(lines.length).toBeGreaterThan(20);

    const notJson = lines.filter((line) => {
      try {
        const parsed = JSON.parse(line);
        return !(parsed && typeof parsed === "object" && typeof parsed.time === "string" && typeof parsed.level === "string" && typeof parsed.msg === "string");
      } catch {
        return true;
      }
    });
    expect(notJson.slice(0, 5)).toEqual([]);

    for (const secret of secrets) {
      expect(secret.length).toBeGreaterThanOrEqual(8);
      expect(text.includes(secret), `the log contains ${secret.slice(0, 12)}…`).toBe(false);
    }
    // A JWT's signature alone is a give-away too.
    for (const jwt of secrets.filter((s) => s.split(".").length === 3)) expect(text.includes(jwt.split(".")[2]!)).toBe(false);

    for (const code of codes) {
      expect(code).toMatch(/^\d{4}$/);
      const leaks = lines.flatMap((line) => valuesCarrying(code, JSON.parse(line)));
      expect(leaks, `code ${code}`).toEqual([]);
    }
  }, 60_000);
});
