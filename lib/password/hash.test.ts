import { hash as argon2Hash, type Algorithm, type Options } from "@node-rs/argon2";
import { hash as bcryptHash } from "bcryptjs";
import { createHash, pbkdf2Sync, randomBytes } from "node:crypto";
import { describe, expect, it, vi } from "vitest";
import {
  ARGON2_PARAMS,
  MAX_PASSWORD_LENGTH,
  hashPassword,
  needsRehash,
  verifyAgainstDummy,
  verifyPassword,
} from "./hash";
import { hashPool, type HashJob } from "./pool";

// Values of @node-rs/argon2's const enum (not readable under isolatedModules).
const ARGON2I = 1 as Algorithm;
const ARGON2ID = 2 as Algorithm;

const OUR_FORMAT = /^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/;

interface Fixture {
  name: string;
  stored: string;
  password: string;
}

// Fixtures published by third parties (so they test interoperability, not just round-tripping
// through our own code) plus a few we generated, noted as such.
const LEGACY: Fixture[] = [
  // Django tests/auth_tests/test_hashers.py (Django 5.1, default iterations)
  {
    name: "Django pbkdf2_sha256, 870000 iterations",
    stored: "pbkdf2_sha256$870000$seasalt$wJSpLMQRQz0Dhj/pFpbyjMj71B2gUYp6HJS5AU+32Ac=",
    password: "lètmein",
  },
  // Django 4.2's test suite
  {
    name: "Django pbkdf2_sha256, 600000 iterations",
    stored: "pbkdf2_sha256$600000$seasalt$OAXyhAQ/4ZDA9V5RMExt3C1OwQdUpLZ99vm1McFlLRA=",
    password: "lètmein",
  },
  // djangohashers (Rust port) test suite, Django 1.9-era iteration count
  {
    name: "Django pbkdf2_sha256, 24000 iterations",
    stored: "pbkdf2_sha256$24000$KQ8zeK6wKRuR$cmhbSt1XVKuO4FGd9+AX8qSBD4Z0395nZatXTJpEtTY=",
    password: "ExjGmyUT73bFoT",
  },
  // Generated for this suite: "argon2" + @node-rs/argon2 argon2id PHC with Django 4+ defaults
  // (t=2, m=102400, p=8), salt = a 22-char alphanumeric string as Django's salt() makes,
  // hash_len 32 (argon2-cffi >= 21.2)...
  {
    name: "Django argon2id (Django 4+ defaults, 32-byte hash)",
    stored:
      "argon2$argon2id$v=19$m=102400,t=2,p=8$R2VWYWJ5Tld3dHJaNTRMVEU2SWgzUg$dg5Huk4p1RSctiaFDbw+ZHJQoEyA2AJFxvZ2vWjvpQs",
    password: "lètmein",
  },
  // ...and hash_len 16 (argon2-cffi <= 21.1, which Django 3.2/4.0 installs also used).
  {
    name: "Django argon2id (16-byte hash)",
    stored: "argon2$argon2id$v=19$m=102400,t=2,p=8$T1FxNU5Xd0xZYmFrZ1I4MEd5bEI1OQ$wBU3dnTXI4JIQ5FxDKvyaQ",
    password: "lètmein",
  },
  // Django's test suite: argon2i from the Django 1.10 era, with and without the v= segment.
  {
    name: "Django argon2i v=19",
    stored: "argon2$argon2i$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$YC9+jJCrQhs5R6db7LlN8Q",
    password: "secret",
  },
  {
    name: "Django argon2i without version (Argon2 1.0)",
    stored:
      "argon2$argon2i$m=8,t=1,p=1$c29tZXNhbHQ$gwQOXSNhxiOxPOA0+PY10P9QFO4NAYysnqRt1GSQLE55m+2GYDt9FEjPMHhP2Cuf0nOEXXMocVrsJAtNSsKyfg",
    password: "secret",
  },
  // djangohashers: Django 1.10 defaults
  {
    name: "Django argon2i m=512,t=2,p=2",
    stored: "argon2$argon2i$v=19$m=512,t=2,p=2$S1E4emVLNndLUnVS$RUET3AC8iXvcVPD2TRjvVQ",
    password: "ExjGmyUT73bFoT",
  },
  // argon2-cffi tests/test_low_level.py: plain PHC argon2i, no version segment
  {
    name: "PHC argon2i (argon2-cffi vector)",
    stored: "$argon2i$m=65536,t=2,p=4$c29tZXNhbHQAAAAAAAAAAA$QWLzI4TY9HkL2ZTLc8g6SinwdhZewYrzz9zxCo0bkGY",
    password: "password",
  },
  // djangohashers: Django BCryptSHA256PasswordHasher, default 12 rounds
  {
    name: "Django bcrypt_sha256 (cost 12)",
    stored: "bcrypt_sha256$$2b$12$LZSJchsWG/DrBy1erNs4eeYo6tZNlLFQmONdxN9HPesa1EyXVcTXK",
    password: "ExjGmyUT73bFoT",
  },
  // Generated for this suite: "bcrypt_sha256$" + bcryptjs.hash(sha256hex("lètmein"), 10)
  {
    name: "Django bcrypt_sha256 (cost 10, non-ASCII password)",
    stored: "bcrypt_sha256$$2b$10$m9KxIRXjzgLh6FKKpr6SPOhLV6HRzZpzHEoIM5vX9T4dvkwcG.sxS",
    password: "lètmein",
  },
  // djangohashers: Django BCryptPasswordHasher (no pre-hash)
  {
    name: "Django bcrypt (cost 12)",
    stored: "bcrypt$$2b$12$LZSJchsWG/DrBy1erNs4ee31eJ7DaWiuwhDOC7aqIyqGGggfu6Y/.",
    password: "ExjGmyUT73bFoT",
  },
  // OpenBSD / John the Ripper bcrypt test vector; PHP's $2y$ is the same algorithm for any
  // password without 8-bit bytes, so the same string under $2y$ must verify too.
  {
    name: "bcrypt $2a$ (OpenBSD test vector)",
    stored: "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW",
    password: "U*U",
  },
  {
    name: "bcrypt $2y$ (PHP password_hash prefix)",
    stored: "$2y$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW",
    password: "U*U",
  },
  // Generated for this suite with bcryptjs.
  {
    name: "bcrypt $2b$ cost 10",
    stored: "$2b$10$q2J.Nd4.Acrm1CcnC.rRxeoyzeOmeM8CxES.6ldBYLrqrpY4vydmO",
    password: "correct horse battery staple",
  },
  {
    name: "bcrypt $2b$ cost 4, non-ASCII password",
    stored: "$2b$04$REJkFFSDOm9JSJvesi1CNuu/ou5qo9ttbfd2Sbs27HqagzLb0g0sK",
    password: "pässwörd 🔐 密码",
  },
];

/** Ticks of a 1 ms interval while `work` runs: zero would mean the event loop was blocked. */
async function ticksDuring(work: () => Promise<unknown>): Promise<number> {
  let ticks = 0;
  const timer = setInterval(() => ticks++, 1);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  return ticks;
}

/** The jobs `work` handed to the hash threads. */
async function hashJobsDuring(work: () => Promise<unknown>): Promise<HashJob[]> {
  const spy = vi.spyOn(hashPool(), "hash");
  try {
    await work();
    return spy.mock.calls.map(([job]) => job);
  } finally {
    spy.mockRestore();
  }
}

describe("hashPassword", () => {
  it("produces an argon2id PHC string with the OWASP parameters", async () => {
    expect(ARGON2_PARAMS).toMatchObject({ memoryCost: 19456, timeCost: 2, parallelism: 1 });
    const stored = await hashPassword("correct horse battery staple");
    expect(stored).toMatch(OUR_FORMAT);
    expect(await verifyPassword("correct horse battery staple", stored)).toBe(true);
    expect(await verifyPassword("correct horse battery stapl", stored)).toBe(false);
    expect(await verifyPassword("Correct horse battery staple", stored)).toBe(false);
    expect(needsRehash(stored)).toBe(false);
  });

  it("salts: the same password hashes differently each time", async () => {
    const [a, b] = await Promise.all([hashPassword("same password"), hashPassword("same password")]);
    expect(a).not.toBe(b);
    expect(a.split("$")[4]).not.toBe(b.split("$")[4]);
    expect(await verifyPassword("same password", a)).toBe(true);
    expect(await verifyPassword("same password", b)).toBe(true);
  });

  it.each([
    ["accented Latin", "lètmein-çàü"],
    ["CJK", "密码是秘密"],
    ["emoji (astral plane)", "🔐🦄👩‍💻"],
    ["RTL", "كلمة السر"],
    ["empty string", ""],
  ])("round-trips a %s password", async (_, password) => {
    const stored = await hashPassword(password);
    expect(await verifyPassword(password, stored)).toBe(true);
    expect(await verifyPassword(`${password}x`, stored)).toBe(false);
  });

  it("does not normalise Unicode (Django does not either): NFC and NFD are different passwords", async () => {
    const nfc = "caf\u00e9";
    const nfd = "cafe\u0301";
    const stored = await hashPassword(nfc);
    expect(await verifyPassword(nfc, stored)).toBe(true);
    expect(await verifyPassword(nfd, stored)).toBe(false);
  });

  it("refuses absurdly long input before hashing", async () => {
    await expect(hashPassword("a".repeat(MAX_PASSWORD_LENGTH + 1))).rejects.toThrow(RangeError);
    await expect(hashPassword(42 as unknown as string)).rejects.toThrow(TypeError);
    expect(await hashPassword("a".repeat(MAX_PASSWORD_LENGTH))).toMatch(OUR_FORMAT);
  });

  it("keeps the event loop running while hashing and verifying", async () => {
    let stored = "";
    const hashTicks = await ticksDuring(async () => {
      stored = await hashPassword("event loop");
    });
    const verifyTicks = await ticksDuring(() => verifyPassword("event loop", stored));
    // A 19 MiB argon2 run takes tens of ms; a blocked loop would give 0 ticks.
    expect(hashTicks).toBeGreaterThan(2);
    expect(verifyTicks).toBeGreaterThan(2);
  });
});

describe("verifyPassword with legacy formats", { timeout: 30_000 }, () => {
  it.each(LEGACY)("$name: right password verifies, wrong is rejected", async ({ stored, password }) => {
    expect(await verifyPassword(password, stored)).toBe(true);
    expect(await verifyPassword(`${password}!`, stored)).toBe(false);
    expect(await verifyPassword("wrong", stored)).toBe(false);
  });

  it("pbkdf2_sha256 built in-test from the published algorithm (PBKDF2-HMAC-SHA256, dklen 32, base64)", async () => {
    const password = "naïve 🔑 pässwörd";
    const salt = "Wk3vB0xQmG7sR2hT9yL4cN";
    const digest = pbkdf2Sync(Buffer.from(password, "utf8"), Buffer.from(salt, "utf8"), 1000, 32, "sha256");
    const stored = `pbkdf2_sha256$1000$${salt}$${digest.toString("base64")}`;
    expect(await verifyPassword(password, stored)).toBe(true);
    expect(await verifyPassword("naive 🔑 pässwörd", stored)).toBe(false);
    // Same key, different iteration count: must not match.
    expect(await verifyPassword(password, stored.replace("$1000$", "$1001$"))).toBe(false);
  });

  it("bcrypt_sha256 built in-test: bcrypt over the lowercase hex sha256 of the UTF-8 password", async () => {
    const password = "日本語のパスワード";
    const hex = createHash("sha256").update(password, "utf8").digest("hex");
    const stored = `bcrypt_sha256$${await bcryptHash(hex, 4)}`;
    expect(await verifyPassword(password, stored)).toBe(true);
    expect(await verifyPassword(hex, stored)).toBe(false);
    // Uppercase hex is a different bcrypt input, so this would catch the wrong digest encoding.
    const upper = `bcrypt_sha256$${await bcryptHash(hex.toUpperCase(), 4)}`;
    expect(await verifyPassword(password, upper)).toBe(false);
  });

  it("plain bcrypt only sees the first 72 bytes; bcrypt_sha256 sees everything", async () => {
    const long = "x".repeat(72);
    const plainBcrypt = await bcryptHash(`${long}tail-one`, 4);
    expect(await verifyPassword(`${long}tail-two`, plainBcrypt)).toBe(true);

    const sha = `bcrypt_sha256$${await bcryptHash(createHash("sha256").update(`${long}tail-one`).digest("hex"), 4)}`;
    expect(await verifyPassword(`${long}tail-one`, sha)).toBe(true);
    expect(await verifyPassword(`${long}tail-two`, sha)).toBe(false);
  });
});

describe("verifyPassword with hostile or malformed input", () => {
  const validBcrypt = "$2b$10$q2J.Nd4.Acrm1CcnC.rRxeoyzeOmeM8CxES.6ldBYLrqrpY4vydmO";
  const validPbkdf2 = "pbkdf2_sha256$24000$KQ8zeK6wKRuR$cmhbSt1XVKuO4FGd9+AX8qSBD4Z0395nZatXTJpEtTY=";
  const argon2Tail = "$c29tZXNhbHRzb21lc2FsdA$YC9+jJCrQhs5R6db7LlN8QYC9+jJCrQhs5R6db7LlN8Q";

  it.each([
    ["empty string", ""],
    ["bare dollar", "$"],
    ["plaintext", "ExjGmyUT73bFoT"],
    ["Django unusable password", "!Xq2J.Nd4.Acrm1CcnC.rRxeoyzeOmeM8CxES.6ldBY"],
    ["unknown Django algorithm", "md5$KQ8zeK6wKRuR$0137e4d74cb2d9ed9cb1a5f391f6175e"],
    ["pbkdf2_sha1 (not supported)", "pbkdf2_sha1$24000$KQ8zeK6wKRuR$tSJh4xdxfMJotlxfkCGjTFpGYZU="],
    ["argon2 prefix only", "argon2$"],
    ["argon2 PHC header only", "$argon2id$"],
    ["argon2d", `$argon2d$v=19$m=19456,t=2,p=1${argon2Tail}`],
    ["argon2 unknown version", `$argon2id$v=18$m=19456,t=2,p=1${argon2Tail}`],
    ["argon2 parameters out of order", `$argon2id$v=19$t=2,m=19456,p=1${argon2Tail}`],
    ["argon2 p=0", `$argon2id$v=19$m=19456,t=2,p=0${argon2Tail}`],
    ["argon2 memory below 8 KiB per lane", `$argon2id$v=19$m=15,t=2,p=2${argon2Tail}`],
    // Would need 4 TiB: passing it to the library gets the process OOM-killed.
    ["argon2 memory 2^32-1 KiB", `$argon2id$v=19$m=4294967295,t=2,p=1${argon2Tail}`],
    ["argon2 memory above the ceiling", `$argon2id$v=19$m=262145,t=1,p=1${argon2Tail}`],
    ["argon2 absurd time cost", `$argon2id$v=19$m=19456,t=100000,p=1${argon2Tail}`],
    ["argon2 impossible base64 length", "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$YC9+jJCrQhs5R6db7LlN8"],
    ["argon2 base64 with padding", "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ=$YC9+jJCrQhs5R6db7LlN8Q=="],
    ["argon2 trailing garbage", `$argon2id$v=19$m=19456,t=2,p=1${argon2Tail}$extra`],
    ["bcrypt truncated", validBcrypt.slice(0, -1)],
    ["bcrypt too long", `${validBcrypt}A`],
    ["bcrypt $2x$ (crypt_blowfish bug-compat)", validBcrypt.replace("$2b$", "$2x$")],
    ["bcrypt $2$ (original)", validBcrypt.replace("$2b$", "$2$")],
    ["bcrypt cost 03", validBcrypt.replace("$10$", "$03$")],
    ["bcrypt cost 31", validBcrypt.replace("$10$", "$31$")],
    ["bcrypt invalid characters", validBcrypt.replace("q2J", "q2!")],
    ["bcrypt_sha256 with nothing after", "bcrypt_sha256$"],
    ["bcrypt_sha256 with bad bcrypt", "bcrypt_sha256$$2b$99$LZSJchsWG/DrBy1erNs4eeYo6tZNlLFQmONdxN9HPesa1EyXVcTXK"],
    ["pbkdf2 iterations 0", validPbkdf2.replace("$24000$", "$0$")],
    ["pbkdf2 iterations negative", validPbkdf2.replace("$24000$", "$-24000$")],
    ["pbkdf2 iterations NaN", validPbkdf2.replace("$24000$", "$NaN$")],
    ["pbkdf2 iterations absurd", validPbkdf2.replace("$24000$", "$999999999$")],
    ["pbkdf2 empty salt", "pbkdf2_sha256$24000$$cmhbSt1XVKuO4FGd9+AX8qSBD4Z0395nZatXTJpEtTY="],
    ["pbkdf2 short hash", "pbkdf2_sha256$24000$KQ8zeK6wKRuR$cmhbSt1XVKuO4FGd9+AX8qSBD4Z0395n"],
    ["pbkdf2 hash not base64", "pbkdf2_sha256$24000$KQ8zeK6wKRuR$cmhbSt1XVKuO4FGd9+AX8qSBD4Z0395nZatXTJpEtT*="],
    ["pbkdf2 missing field", "pbkdf2_sha256$24000$cmhbSt1XVKuO4FGd9+AX8qSBD4Z0395nZatXTJpEtTY="],
    ["stored value longer than any real hash", `${validPbkdf2}${"A".repeat(600)}`],
  ])("%s → false", async (_, stored) => {
    // Using the right password where one exists, so `false` cannot come from a mismatch.
    expect(await verifyPassword("ExjGmyUT73bFoT", stored)).toBe(false);
    expect(needsRehash(stored)).toBe(true);
  });

  it("treats non-string arguments as a failed match instead of throwing", async () => {
    for (const bad of [null, undefined, 42, {}, ["$2b$"], Buffer.from("x")]) {
      expect(await verifyPassword(bad as unknown as string, validBcrypt)).toBe(false);
      expect(await verifyPassword("x", bad as unknown as string)).toBe(false);
      expect(needsRehash(bad as unknown as string)).toBe(true);
    }
  });

  it("rejects a password over the length cap without doing the hashing work", async () => {
    const password = "a".repeat(MAX_PASSWORD_LENGTH);
    const salt = "lengthcapsalt";
    const key = pbkdf2Sync(password, salt, 870_000, 32, "sha256").toString("base64");
    const stored = `pbkdf2_sha256$870000$${salt}$${key}`;
    // At the cap the password is still verified (≈0.5 s of PBKDF2 work)...
    expect(await verifyPassword(password, stored)).toBe(true);
    // ...one character over, it is refused without any hashing, even with a matching 1024-char prefix.
    let result: boolean | undefined;
    const jobs = await hashJobsDuring(async () => {
      result = await verifyPassword(`${password}a`, stored);
    });
    expect(result).toBe(false);
    expect(jobs).toEqual([]);
  });
});

describe("needsRehash", () => {
  it.each(LEGACY)("$name → true", ({ stored }) => {
    expect(needsRehash(stored)).toBe(true);
  });

  it("is false for our own hashes and for stronger argon2id parameters", async () => {
    expect(needsRehash(await hashPassword("pw"))).toBe(false);
    const stronger = await argon2Hash("pw", { algorithm: ARGON2ID, memoryCost: 65536, timeCost: 3, parallelism: 4 });
    expect(needsRehash(stronger)).toBe(false);
    expect(await verifyPassword("pw", stronger)).toBe(true);
    // A Django argon2id string with its prefix stripped is plain PHC and stronger than ours.
    const djangoPhc = LEGACY.find((f) => f.name.includes("32-byte"))!.stored.slice("argon2".length);
    expect(needsRehash(djangoPhc)).toBe(false);
  });

  const weaker: [string, Options][] = [
    ["less memory", { memoryCost: 19455 }],
    ["fewer passes", { timeCost: 1 }],
    ["argon2i", { algorithm: ARGON2I }],
    ["argon2 1.0 (v=16)", { version: 0 as Options["version"] }],
    ["16-byte output", { outputLen: 16 }],
    ["8-byte salt", { salt: randomBytes(8) }],
  ];
  it.each(weaker)("is true for argon2 with %s, which still verifies", async (_, override) => {
    const stored = await argon2Hash("pw", {
      algorithm: ARGON2ID,
      memoryCost: ARGON2_PARAMS.memoryCost,
      timeCost: ARGON2_PARAMS.timeCost,
      parallelism: ARGON2_PARAMS.parallelism,
      ...override,
    });
    expect(needsRehash(stored)).toBe(true);
    expect(await verifyPassword("pw", stored)).toBe(true);
  });
});

describe("verifyAgainstDummy", () => {
  it("always fails, and costs about as much as verifying a real hash", async () => {
    const real = await hashPassword("some user's password");
    // The first call creates the dummy hash; later calls verify against it.
    expect(await verifyAgainstDummy("guess")).toBe(false);
    const [first, second] = await Promise.all([verifyAgainstDummy("guess"), verifyAgainstDummy("")]);
    expect(first).toBe(false);
    expect(second).toBe(false);

    // The same work as a wrong password for a real account: one Argon2id verification with the
    // same parameters (counted, not timed, so a busy machine cannot fail it).
    const parameters = (job: HashJob) => (job.op === "argon2-verify" ? /^\$argon2id\$v=19\$(m=\d+,t=\d+,p=\d+)\$/.exec(job.phc)?.[1] : job.op);
    const realJobs = await hashJobsDuring(() => verifyPassword("wrong guess", real));
    const dummyJobs = await hashJobsDuring(() => verifyAgainstDummy("wrong guess"));
    expect(realJobs.map(parameters)).toEqual(["m=19456,t=2,p=1"]);
    expect(dummyJobs.map(parameters)).toEqual(realJobs.map(parameters));
  });

  it("does not hash over-long input, matching verifyPassword's early exit", async () => {
    expect(await verifyAgainstDummy("a".repeat(MAX_PASSWORD_LENGTH + 1))).toBe(false);
  });
});
