import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { api, randomIp } from "./client";
import { authHeader, execSql, registeredVerifiedUser, resetTokenIn, STRONG_PASSWORD, waitForMail } from "./helpers";

/**
 * `%` and `_` are valid in an e-mail address: an account at `%@domain` that deletes itself, or
 * resets its password, must end only its own limits, not those of every address on the domain.
 */

/** A domain of the test's own: a pattern spanning it reaches no other test's rows. */
const uniqueDomain = () => `patterns-${randomUUID().slice(0, 8)}.example.test`;

const verify = (email: string, otp: string) => api("POST", "/auth/verify/otp/", { json: { email, otp } });
const resend = (email: string) => api("POST", "/auth/resend/otp/", { json: { email } });
const login = (email: string, password: string, ip: string) => api("POST", "/auth/login/", { json: { email, password }, headers: { "x-forwarded-for": ip } });

/** The address's windows, found by exact text in JavaScript (not by a pattern in SQL). */
async function windowsOf(email: string) {
  const rows = await execSql<{ key: string; count: number }>(`SELECT "key", "count" FROM "RateLimit" ORDER BY "key"`);
  return rows.filter((r) => r.key.endsWith(`:${email}`) || r.key.includes(`:${email}:`));
}

/** A verified account that failed 10 logins in a row from `ip`: from there it waits (429). */
async function accountWaitingAt(email: string) {
  await registeredVerifiedUser(email);
  const ip = randomIp();
  for (let i = 0; i < 10; i++) expect((await login(email, `wrong password ${i}`, ip)).status).toBe(400);
  expect((await login(email, STRONG_PASSWORD, ip)).status).toBe(429);
  return ip;
}

describe("an account at %@domain", () => {
  it("deleting itself leaves the wrong-code cap, login wait and mail limit of the domain's other addresses in place", async () => {
    const domain = uniqueDomain();
    // The day's 20 wrong codes for an address without an account.
    const guessed = `nobody@${domain}`;
    for (let i = 0; i < 20; i++) expect((await verify(guessed, "1234")).status).toBe(400);
    expect((await verify(guessed, "1234")).status).toBe(429);
    // A failed-login streak of an account.
    const owner = `owner@${domain}`;
    const ownerIp = await accountWaitingAt(owner);
    // A verification mail in its minute: a resend now is refused.
    const fresh = `fresh@${domain}`;
    expect((await api("POST", "/auth/register/", { json: { email: fresh, password: STRONG_PASSWORD } })).status).toBe(200);
    await waitForMail(fresh);
    expect((await resend(fresh)).status).toBe(429);
    const before = { guessed: await windowsOf(guessed), owner: await windowsOf(owner), fresh: await windowsOf(fresh) };

    const attacker = `%@${domain}`;
    const { tokens } = await registeredVerifiedUser(attacker);
    const deleted = await api("DELETE", "/auth/me/", { headers: authHeader(tokens.access_token), json: { password: STRONG_PASSWORD } });
    expect(deleted.status, deleted.text).toBe(200);

    expect(await windowsOf(attacker)).toEqual([]);
    expect({ guessed: await windowsOf(guessed), owner: await windowsOf(owner), fresh: await windowsOf(fresh) }).toEqual(before);
    expect((await verify(guessed, "1234")).status).toBe(429);
    expect((await login(owner, STRONG_PASSWORD, ownerIp)).status).toBe(429);
    expect((await resend(fresh)).status).toBe(429);
  });

  it("resetting its password forgets its own failed-login streaks, not another address's", async () => {
    const domain = uniqueDomain();
    const owner = `owner@${domain}`;
    const ownerIp = await accountWaitingAt(owner);
    const attacker = `%@${domain}`;
    const attackerIp = await accountWaitingAt(attacker);

    expect((await api("POST", "/auth/generate-link", { json: { email: attacker, request_type: 3 } })).status).toBe(200);
    const token = resetTokenIn(await waitForMail(attacker, 2));
    const newPassword = "a brand new passphrase";
    const reset = await api("POST", "/auth/reset-password", { headers: authHeader(token!, "Token"), json: { password: newPassword } });
    expect(reset.status, reset.text).toBe(200);

    expect((await login(attacker, newPassword, attackerIp)).status).toBe(200);
    expect((await login(owner, STRONG_PASSWORD, ownerIp)).status).toBe(429);
  });
});
