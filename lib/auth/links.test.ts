import { describe, expect, it } from "vitest";
import {
  DAY,
  emailChangeTokenIn,
  HOUR,
  advance,
  advanceSeconds,
  appSession,
  confirmTokenIn,
  freshClient,
  lastMailTo,
  PASSWORD,
  resetTokenIn,
  setUpAuthTests,
  uniqueEmail,
  unverifiedUser,
  verifiedUser,
} from "./testing";

setUpAuthTests();

const { linkState } = await import("./links");
const { confirmCode, confirmLink, resendVerificationLink } = await import("./email-verification");
const { requestPasswordReset, resetPassword } = await import("./password");
const { confirmEmailChange, requestEmailChange } = await import("./email-change");

describe("linkState of a confirmation link", () => {
  it("is usable until the link is used, then used", async () => {
    const { linkToken } = await unverifiedUser();
    expect(await linkState(linkToken, "verify_email")).toBe("usable");
    await confirmLink(linkToken, freshClient());
    expect(await linkState(linkToken, "verify_email")).toBe("used");
  });

  it("is used when the mail's code confirmed the address, and stays used after the link's lifetime", async () => {
    const { email, code, linkToken } = await unverifiedUser();
    await confirmCode(email, code, freshClient());
    advance(DAY + 1000);
    expect(await linkState(linkToken, "verify_email")).toBe("used");
  });

  it("is expired 24 hours after it was sent, and nothing changed", async () => {
    const { linkToken } = await unverifiedUser();
    advance(DAY - 1000);
    expect(await linkState(linkToken, "verify_email")).toBe("usable");
    advance(2000);
    expect(await linkState(linkToken, "verify_email")).toBe("expired");
    expect(await linkState(linkToken, "verify_email")).toBe("expired");
  });

  it("is replaced once a newer link was sent, which is usable", async () => {
    const { email, linkToken } = await unverifiedUser();
    advanceSeconds(61);
    await resendVerificationLink(email, freshClient());
    expect(await linkState(linkToken, "verify_email")).toBe("replaced");
    expect(await linkState(confirmTokenIn(await lastMailTo(email)), "verify_email")).toBe("usable");
  });

  it("is unknown for a made-up or empty token, and for another purpose's token", async () => {
    expect(await linkState("x".repeat(43), "verify_email")).toBe("unknown");
    expect(await linkState("", "verify_email")).toBe("unknown");
    const { linkToken } = await unverifiedUser();
    expect(await linkState(linkToken, "reset_password")).toBe("unknown");
    expect(await linkState(linkToken, "change_email")).toBe("unknown");
  });
});

describe("linkState of a password reset link", () => {
  it("is usable, then used after the reset", async () => {
    const { email } = await verifiedUser();
    await requestPasswordReset(email, freshClient());
    const token = resetTokenIn(await lastMailTo(email, "password_reset"));
    expect(await linkState(token, "reset_password")).toBe("usable");
    await resetPassword(token, "another long passphrase", freshClient());
    expect(await linkState(token, "reset_password")).toBe("used");
  });

  it("is expired after an hour, and replaced by a newer request", async () => {
    const { email } = await verifiedUser();
    await requestPasswordReset(email, freshClient());
    const first = resetTokenIn(await lastMailTo(email, "password_reset"));
    advance(HOUR + 1000);
    expect(await linkState(first, "reset_password")).toBe("expired");
    await requestPasswordReset(email, freshClient());
    expect(await linkState(first, "reset_password")).toBe("replaced");
  });
});

describe("linkState of an e-mail change link", () => {
  it("is usable, then used once the new address is confirmed; expired after 24 hours", async () => {
    const { user } = await verifiedUser();
    const { caller } = await appSession(user);
    const newEmail = uniqueEmail("new");
    await requestEmailChange(caller, { newEmail, password: PASSWORD }, freshClient());
    const token = emailChangeTokenIn(await lastMailTo(newEmail));
    expect(await linkState(token, "change_email")).toBe("usable");
    await confirmEmailChange(token, freshClient());
    expect(await linkState(token, "change_email")).toBe("used");

    const other = await verifiedUser();
    const { caller: otherCaller } = await appSession(other.user);
    const later = uniqueEmail("later");
    await requestEmailChange(otherCaller, { newEmail: later, password: PASSWORD }, freshClient());
    const expiring = emailChangeTokenIn(await lastMailTo(later));
    advance(DAY + 1000);
    expect(await linkState(expiring, "change_email")).toBe("expired");
  });
});

