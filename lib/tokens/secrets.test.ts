import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";

process.env.AUTH_SECRET = "a server secret of at least thirty-two characters";
process.env.LOG_LEVEL = "silent";
const { derivedKey } = await import("./secrets");

describe("derivedKey", () => {
  it("gives each job its own 256-bit key, none of them AUTH_SECRET itself, the same on every call", () => {
    const cookie = derivedKey("browser-session-cookie");
    const codes = derivedKey("verification-code-hmac");
    expect(cookie).toHaveLength(32);
    expect(codes).toHaveLength(32);
    expect(cookie.equals(codes)).toBe(false);
    expect(cookie.equals(Buffer.from(process.env.AUTH_SECRET!))).toBe(false);
    expect(derivedKey("browser-session-cookie").equals(cookie)).toBe(true);
    // A code's HMAC under the derived key is not the one under the raw secret.
    const raw = createHmac("sha256", process.env.AUTH_SECRET!).update("t:1234").digest("hex");
    expect(createHmac("sha256", codes).update("t:1234").digest("hex")).not.toBe(raw);
  });
});

describe("sealSecret", () => {
  it("round-trips, differs every time, and refuses a tampered value", async () => {
    const { openSecret, sealSecret } = await import("./secrets");
    const a = sealSecret("JBSWY3DPEHPK3PXP");
    const b = sealSecret("JBSWY3DPEHPK3PXP");
    expect(a).not.toBe(b);
    expect(a).not.toContain("JBSWY3DPEHPK3PXP");
    expect(openSecret(a)).toBe("JBSWY3DPEHPK3PXP");
    const tampered = a.slice(0, -2) + (a.endsWith("A") ? "B" : "A") + a.slice(-1);
    expect(() => openSecret(tampered)).toThrow();
  });
});
