import { readFileSync } from "node:fs";
import { afterEach, describe, expect, inject, it } from "vitest";
import { api } from "./client";
import {
  expectMailCount,
  mailsTo,
  registeredVerifiedUser,
  resetTokenIn,
  setClockOffset,
  setSmtpOutage,
  STRONG_PASSWORD,
  uniqueEmail,
  waitForMail,
} from "./helpers";

/**
 * Mail leaves through the transactional outbox: an SMTP outage neither fails nor slows a request,
 * and the mail goes out once the relay is back and the retry falls due (first retry ≈ 5 s ± 20 %).
 */

const logSize = () => readFileSync(inject("logFile"), "utf8").length;

/** Waits until the server logged a failed delivery after `offset` (the sender tried and will retry). */
async function waitForFailedDelivery(offset: number) {
  const deadline = Date.now() + 10_000;
  while (!readFileSync(inject("logFile"), "utf8").slice(offset).includes('"mail delivery failed; will retry"')) {
    if (Date.now() > deadline) throw new Error("the mail sender never reported a failed delivery");
    await new Promise((r) => setTimeout(r, 50));
  }
}

afterEach(async () => {
  await setSmtpOutage(false);
  setClockOffset(0);
});

describe("an SMTP outage", () => {
  it("does not fail a sign-up; the mail arrives exactly once after the outage", async () => {
    const email = uniqueEmail("outage");
    const offset = logSize();
    await setSmtpOutage(true);

    const started = performance.now();
    const res = await api("POST", "/auth/", {
      json: { name: "Outage", dob: "1990-01-01", email, password: STRONG_PASSWORD, mobile: "76765757" },
    });
    expect(res.status, res.text).toBe(201);
    expect(performance.now() - started).toBeLessThan(5000);

    await waitForFailedDelivery(offset);
    expect(await mailsTo(email)).toEqual([]);

    await setSmtpOutage(false);
    // Past the first retry (≈ 5 s ± 20 %) without waiting for it.
    setClockOffset(60_000);
    const mail = await waitForMail(email);
    expect(mail.subject).toMatch(/verify/i);
    await expectMailCount(email, 1);
  });

  it("keeps retrying while the relay is down, then delivers a reset link that still works", async () => {
    const { email } = await registeredVerifiedUser();
    await setSmtpOutage(true);
    const offset = logSize();
    const res = await api("POST", "/auth/generate-link", { json: { email, request_type: 3 } });
    expect(res.status, res.text).toBe(200);
    await waitForFailedDelivery(offset);

    // Still down at the first retry: a second failure.
    const second = logSize();
    setClockOffset(10_000);
    await waitForFailedDelivery(second);
    expect(await mailsTo(email)).toHaveLength(1);

    await setSmtpOutage(false);
    setClockOffset(60_000);
    const token = resetTokenIn(await waitForMail(email, 2));
    expect(token).toBeTruthy();
    const reset = await api("POST", "/auth/reset-password", {
      headers: { authorization: `Token ${token}` },
      json: { password: "a password after the outage" },
    });
    expect(reset.status, reset.text).toBe(200);
    // The verification, the reset link (once), and the notice that the password was reset.
    await expectMailCount(email, 3);
    expect((await mailsTo(email)).map((m) => m.subject)).toEqual([
      expect.stringMatching(/^Verify/),
      expect.stringMatching(/^Reset/),
      expect.stringMatching(/password was reset$/),
    ]);
  });
});
