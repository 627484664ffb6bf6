import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "@/lib/db/testing";
import { listActiveFamilies, revokeAllForUser, revokeFamily, rotate } from "@/lib/db/refresh-tokens";
import { randomToken, sha256Hex } from "./hash";
import { issueRefreshToken, revokeRefreshToken, rotateRefreshToken } from "./refresh";

// Set before anything reads the (cached) configuration.
// Not a React hook despite the name (the lint rule goes by the "use" prefix).
const db = useTestDatabase();
const clockDir = mkdtempSync(path.join(tmpdir(), "auth-refresh-clock-"));
const clockFile = path.join(clockDir, "clock");
Object.assign(process.env, {
  AUTH_SECRET: "s".repeat(40),
  JWT_PRIVATE_KEY: generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
  AUTH_TEST_CLOCK_FILE: clockFile,
});

const DAY_MS = 86_400_000;
const TTL_DAYS = 30;

// lib/clock.ts reads the offset file on every call.
const setClockOffset = (ms: number) => writeFileSync(clockFile, String(ms));

let userSeq = 0;
let roleId = 0;
async function createUser(): Promise<number> {
  const user = await db().user.create({ data: { email: `user${++userSeq}@example.com`, roleId } });
  return user.id;
}

const invalid = { name: "AppError", code: "REFRESH_INVALID", status: 401, fieldErrors: { refresh: ["Token is invalid or expired"] } };
const family = (id: string) => db().refreshFamily.findUniqueOrThrow({ where: { id } });
const issue = (userId: number, client: "api" | "browser" = "api") =>
  issueRefreshToken(db(), { userId, client, userAgent: "vitest", ip: "203.0.113.7" });

// The migrations may seed roles; any role will do for these tests.
beforeAll(async () => {
  const existing = await db().role.findFirst();
  roleId = existing?.id ?? (await db().role.create({ data: { id: 1, name: "user", isDefault: true } })).id;
});
afterEach(() => setClockOffset(0));
afterAll(() => rmSync(clockDir, { recursive: true, force: true }));

describe("issueRefreshToken", () => {
  it("returns an opaque 256-bit token stored only as its SHA-256", async () => {
    const userId = await createUser();
    const issued = await issue(userId);
    expect(issued.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const rows = await db().refreshToken.findMany({ where: { familyId: issued.familyId } });
    expect(rows).toHaveLength(1);
    expect(rows[0]!.tokenHash).toBe(sha256Hex(issued.token));
    expect(JSON.stringify(rows)).not.toContain(issued.token);
    expect(rows[0]!.expiresAt.getTime()).toBe(issued.expiresAt.getTime());
    expect(issued.expiresAt.getTime() - Date.now()).toBeGreaterThan(TTL_DAYS * DAY_MS - 60_000);
    expect(await family(issued.familyId)).toMatchObject({ userId, client: "api", userAgent: "vitest", ip: "203.0.113.7", revokedAt: null });
  });

  it("commits and rolls back with the caller's transaction", async () => {
    const userId = await createUser();
    let familyId = "";
    await expect(
      db().$transaction(async (tx) => {
        familyId = (await issueRefreshToken(tx, { userId, client: "browser" })).familyId;
        throw new Error("roll back");
      }),
    ).rejects.toThrow("roll back");
    expect(await db().refreshFamily.findUnique({ where: { id: familyId } })).toBeNull();
  });
});

describe("rotateRefreshToken", () => {
  it("exchanges a token for a successor in the same family", async () => {
    const userId = await createUser();
    const first = await issue(userId);
    const second = await rotateRefreshToken(first.token);
    expect(second).toMatchObject({ userId, familyId: first.familyId });
    expect(second.token).not.toBe(first.token);
    const third = await rotateRefreshToken(second.token);
    expect(third.familyId).toBe(first.familyId);
    expect((await family(first.familyId)).revokedAt).toBeNull();
  });

  it("treats a spent token as reuse: the family is revoked and the successor dies too", async () => {
    const userId = await createUser();
    const first = await issue(userId);
    const second = await rotateRefreshToken(first.token);

    await expect(rotateRefreshToken(first.token)).rejects.toMatchObject(invalid);
    expect(await family(first.familyId)).toMatchObject({ revokeReason: "reuse" });
    expect((await family(first.familyId)).revokedAt).toBeInstanceOf(Date);
    await expect(rotateRefreshToken(second.token)).rejects.toMatchObject(invalid);
  });

  it("lets exactly one of 20 concurrent rotations of one token win", async () => {
    const userId = await createUser();
    const { token, familyId } = await issue(userId);
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => rotateRefreshToken(token)));
    const won = results.filter((r) => r.status === "fulfilled");
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(19);
    for (const r of lost) expect(r.reason).toMatchObject(invalid);
    // The losers look exactly like a replayed stolen token, so the contract's reuse rule ends the family.
    expect(await family(familyId)).toMatchObject({ revokeReason: "reuse" });
  });

  it("reports one rotation and 19 reuses at the data layer under concurrency", async () => {
    const userId = await createUser();
    const { token, familyId } = await issue(userId);
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        rotate(sha256Hex(token), { newTokenHash: sha256Hex(randomToken()), newExpiresAt: new Date(Date.now() + DAY_MS) }),
      ),
    );
    expect(results.filter((r) => r.kind === "rotated")).toHaveLength(1);
    expect(results.filter((r) => r.kind === "reused")).toEqual(Array(19).fill({ kind: "reused", userId, familyId }));
    expect(await db().refreshToken.count({ where: { familyId } })).toBe(2);
  });

  it("refuses an expired token without revoking its family", async () => {
    const userId = await createUser();
    const { token, familyId } = await issue(userId);
    setClockOffset(TTL_DAYS * DAY_MS + 1000);
    await expect(rotateRefreshToken(token)).rejects.toMatchObject(invalid);
    expect((await family(familyId)).revokedAt).toBeNull();
    expect(await rotate(sha256Hex(token), { newTokenHash: sha256Hex(randomToken()), newExpiresAt: new Date() })).toEqual({ kind: "invalid" });
  });

  it("slides the expiry: each rotation grants a full lifetime", async () => {
    const userId = await createUser();
    const first = await issue(userId);
    setClockOffset((TTL_DAYS - 1) * DAY_MS);
    const second = await rotateRefreshToken(first.token);
    expect(second.expiresAt.getTime() - first.expiresAt.getTime()).toBeGreaterThanOrEqual((TTL_DAYS - 1) * DAY_MS);
    setClockOffset((TTL_DAYS + 5) * DAY_MS);
    await expect(rotateRefreshToken(second.token)).resolves.toMatchObject({ familyId: first.familyId });
  });

  it("refuses unknown and malformed tokens", async () => {
    for (const token of [randomToken(), "", "short", "x".repeat(43) + "=", "a b".repeat(20), 42 as unknown as string]) {
      await expect(rotateRefreshToken(token)).rejects.toMatchObject(invalid);
    }
  });

  it("refuses tokens of a disabled account", async () => {
    const userId = await createUser();
    const { token, familyId } = await issue(userId);
    await db().user.update({ where: { id: userId }, data: { disabledAt: new Date() } });
    await expect(rotateRefreshToken(token)).rejects.toMatchObject(invalid);
    expect((await family(familyId)).revokedAt).toBeNull();
  });
});

describe("revokeRefreshToken (logout)", () => {
  it("revokes the family and is idempotent", async () => {
    const userId = await createUser();
    const { token, familyId } = await issue(userId);
    expect(await revokeRefreshToken(token)).toEqual({ userId, familyId });
    expect(await family(familyId)).toMatchObject({ revokeReason: "logout" });
    const revokedAt = (await family(familyId)).revokedAt;
    expect(await revokeRefreshToken(token)).toEqual({ userId, familyId });
    expect((await family(familyId)).revokedAt).toEqual(revokedAt);
    await expect(rotateRefreshToken(token)).rejects.toMatchObject(invalid);
  });

  it("also ends the family when given a token that was already rotated", async () => {
    const userId = await createUser();
    const first = await issue(userId);
    const second = await rotateRefreshToken(first.token);
    await revokeRefreshToken(first.token);
    await expect(rotateRefreshToken(second.token)).rejects.toMatchObject(invalid);
    expect(await family(first.familyId)).toMatchObject({ revokeReason: "logout" });
  });

  it("ignores unknown and malformed tokens", async () => {
    expect(await revokeRefreshToken(randomToken())).toBeNull();
    expect(await revokeRefreshToken("not a token")).toBeNull();
  });
});

describe("families (sessions)", () => {
  it("revokes every family of a user but the one kept, and lists what is left", async () => {
    const userId = await createUser();
    const otherUserId = await createUser();
    const a = await issue(userId, "api");
    const b = await issue(userId, "browser");
    const c = await issue(userId, "api");
    const stranger = await issue(otherUserId);

    expect(await revokeAllForUser(userId, "password_change", { exceptFamilyId: b.familyId })).toBe(2);
    expect((await listActiveFamilies(userId)).map((f) => f.id)).toEqual([b.familyId]);
    for (const { token } of [a, c]) await expect(rotateRefreshToken(token)).rejects.toMatchObject(invalid);
    await expect(rotateRefreshToken(b.token)).resolves.toMatchObject({ familyId: b.familyId });
    expect(await family(a.familyId)).toMatchObject({ revokeReason: "password_change" });
    expect((await listActiveFamilies(otherUserId)).map((f) => f.id)).toEqual([stranger.familyId]);

    expect(await revokeAllForUser(userId, "password_reset")).toBe(1);
    expect(await listActiveFamilies(userId)).toEqual([]);
    // An earlier revocation keeps its reason.
    expect(await family(a.familyId)).toMatchObject({ revokeReason: "password_change" });
  });

  it("lists live sessions with their details, most recently used first, leaving out expired ones", async () => {
    const userId = await createUser();
    const old = await issue(userId, "browser");
    setClockOffset(DAY_MS);
    const recent = await issue(userId, "api");
    setClockOffset((TTL_DAYS + 0.5) * DAY_MS);
    const sessions = await listActiveFamilies(userId);
    expect(sessions.map((s) => s.id)).toEqual([recent.familyId]);
    setClockOffset(2 * DAY_MS);
    await rotateRefreshToken(old.token);
    const listed = await listActiveFamilies(userId);
    expect(listed.map((s) => s.id)).toEqual([old.familyId, recent.familyId]);
    expect(Object.keys(listed[0]!).sort()).toEqual(["client", "createdAt", "id", "ip", "lastUsedAt", "userAgent"]);
    expect(listed[0]).toMatchObject({ client: "browser", userAgent: "vitest", ip: "203.0.113.7" });
  });

  it("revokes one of the user's own sessions, never another user's", async () => {
    const userId = await createUser();
    const otherUserId = await createUser();
    const mine = await issue(userId);
    expect(await revokeFamily(otherUserId, mine.familyId, "session_revoked")).toBe(false);
    expect((await family(mine.familyId)).revokedAt).toBeNull();
    expect(await revokeFamily(userId, mine.familyId, "session_revoked")).toBe(true);
    expect(await revokeFamily(userId, mine.familyId, "session_revoked")).toBe(false);
    await expect(rotateRefreshToken(mine.token)).rejects.toMatchObject(invalid);
  });
});
