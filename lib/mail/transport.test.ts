import { describe, expect, it } from "vitest";
import { devMailboxEnabled, smtpOptions } from "./transport";

describe("smtpOptions", () => {
  it("requires STARTTLS in production for a plain relay on another host, whatever the URL says", () => {
    expect(smtpOptions("smtp://user:pass@mail.example.test:587", true)).toMatchObject({ requireTLS: true, ignoreTLS: false, host: "mail.example.test", port: 587 });
    expect(smtpOptions("smtp://mail.example.test:587?requireTLS=false&ignoreTLS=true", true)).toMatchObject({ requireTLS: true, ignoreTLS: false });
  });

  it("leaves smtps:// (TLS from the start) and a relay on this host as they are", () => {
    expect(smtpOptions("smtps://mail.example.test:465", true)).toMatchObject({ secure: true });
    expect(smtpOptions("smtps://mail.example.test:465", true).requireTLS).toBeUndefined();
    expect(smtpOptions("smtp://127.0.0.1:2525", true).requireTLS).toBeUndefined();
    expect(smtpOptions("smtp://localhost:25", true).requireTLS).toBeUndefined();
  });

  it("does not insist outside production, and keeps the pool's timeouts", () => {
    expect(smtpOptions("smtp://mail.example.test:25", false).requireTLS).toBeUndefined();
    expect(smtpOptions("smtp://mail.example.test:25", false)).toMatchObject({ pool: true, connectionTimeout: 10_000, socketTimeout: 20_000 });
  });
});

describe("devMailboxEnabled", () => {
  it("is on only in development without SMTP_URL: it would hand anyone every code and link", () => {
    expect(devMailboxEnabled({ nodeEnv: "development", smtpUrl: undefined })).toBe(true);
    expect(devMailboxEnabled({ nodeEnv: "development", smtpUrl: "smtp://127.0.0.1:25" })).toBe(false);
    expect(devMailboxEnabled({ nodeEnv: "test", smtpUrl: undefined })).toBe(false);
    expect(devMailboxEnabled({ nodeEnv: "production", smtpUrl: undefined })).toBe(false);
  });
});
