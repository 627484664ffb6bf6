// Password hashing: Argon2id for everything we write, plus verification of the legacy formats
// (bcrypt, Django's argon2 / pbkdf2_sha256 / bcrypt_sha256 / bcrypt) that imported accounts carry.
// Callers verify, then call needsRehash() and store a fresh hashPassword() result while they still
// hold the plaintext, so legacy hashes disappear as users log in.
import type { Algorithm } from "@node-rs/argon2";
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { AppError } from "@/lib/errors";
import { normalizePassword } from "@/lib/validation/fields";
import params from "./params.json" with { type: "json" };
import { hashPool } from "./pool";

export interface Argon2Params {
  /** KiB */
  readonly memoryCost: number;
  readonly timeCost: number;
  readonly parallelism: number;
  /** bytes of raw hash output */
  readonly outputLen: number;
}

// OWASP Password Storage Cheat Sheet, Argon2id option "m=19 MiB, t=2, p=1". The values live in
// params.json so that scripts/bench-password.mjs measures exactly what production runs.
export const ARGON2_PARAMS: Argon2Params = Object.freeze({
  memoryCost: params.memoryCost,
  timeCost: params.timeCost,
  parallelism: params.parallelism,
  outputLen: params.outputLen,
});

// @node-rs/argon2 declares Algorithm as an ambient const enum, which isolatedModules forbids
// reading; 2 is its documented Argon2id value (and hashPassword checks the prefix it gets back).
const ARGON2ID = 2 as Algorithm;

/** Longer input is refused without hashing: it can only be an attack (policy caps at 128). */
export const MAX_PASSWORD_LENGTH = 1024;
// Real stored hashes are < 200 chars; anything far longer is corrupt and not worth parsing.
const MAX_STORED_LENGTH = 512;
// @node-rs/argon2 generates 16-byte salts; shorter ones in a PHC string mean someone else made it.
const MIN_SALT_BYTES = 16;

// Stored hashes carry their own cost parameters, so a corrupt or planted row could ask for
// 4 TiB of memory (which gets the process OOM-killed) or 2^31 bcrypt rounds. These ceilings sit
// well above every real-world default (Django: 100 MiB argon2, 1.2M pbkdf2, bcrypt 12).
const MAX_ARGON2_MEMORY_KIB = 256 * 1024;
const MAX_ARGON2_TIME = 16;
const MAX_ARGON2_PARALLELISM = 64;
const MAX_BCRYPT_COST = 15;
const MAX_PBKDF2_ITERATIONS = 5_000_000;

const EXPECTED_PREFIX =
  `$argon2id$v=19$m=${ARGON2_PARAMS.memoryCost},t=${ARGON2_PARAMS.timeCost},p=${ARGON2_PARAMS.parallelism}$`;

/**
 * Argon2id PHC string (`$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`) with a fresh random salt.
 * Runs on a hash thread (lib/password/pool.ts), so the event loop keeps serving other requests meanwhile.
 */
export async function hashPassword(plain: string): Promise<string> {
  if (typeof plain !== "string") throw new TypeError("password must be a string");
  if (plain.length > MAX_PASSWORD_LENGTH) {
    throw new RangeError(`password longer than ${MAX_PASSWORD_LENGTH} characters`);
  }
  const phc = await hashPool().hash<string>({
    op: "argon2-hash",
    password: normalizePassword(plain),
    options: { ...ARGON2_PARAMS, algorithm: ARGON2ID },
  });
  // A library upgrade that silently changed the algorithm or encoding would otherwise only show
  // up as every new hash being flagged by needsRehash (or worse, not verifying elsewhere).
  if (!phc.startsWith(EXPECTED_PREFIX)) throw new Error("argon2 produced an unexpected hash format");
  return phc;
}

/**
 * True when `plain` matches `stored`. Understands our Argon2 PHC strings and the legacy formats
 * listed at the top of this file; anything unknown, malformed or absurdly expensive is `false`.
 * Never throws.
 */
export async function verifyPassword(plain: string, stored: string): Promise<boolean> {
  if (typeof plain !== "string" || typeof stored !== "string") return false;
  if (plain.length > MAX_PASSWORD_LENGTH || stored.length > MAX_STORED_LENGTH) return false;
  try {
    if (stored.startsWith("$argon2")) return await verifyArgon2(plain, stored);
    if (stored.startsWith("$2")) return await verifyBcrypt(plain, stored);

    // Django: "<algorithm>$<algorithm-specific rest>"
    const sep = stored.indexOf("$");
    if (sep <= 0) return false;
    const rest = stored.slice(sep + 1);
    switch (stored.slice(0, sep)) {
      case "argon2":
        // Django writes "argon2" + the PHC string, whose leading "$" doubles as the separator.
        return await verifyArgon2(plain, stored.slice(sep));
      case "pbkdf2_sha256":
        return await verifyDjangoPbkdf2Sha256(plain, rest);
      case "bcrypt_sha256":
        // Django pre-hashes so bcrypt's 72-byte truncation cannot bite; the bcrypt input is the
        // 64-char lowercase hex digest of the UTF-8 password.
        return await verifyBcrypt(createHash("sha256").update(plain, "utf8").digest("hex"), rest);
      case "bcrypt":
        return await verifyBcrypt(plain, rest);
      default:
        return false;
    }
  } catch (error) {
    // A full hash queue is no answer about the password: the caller sheds the request.
    if (error instanceof AppError) throw error;
    // The libraries throw on inputs our parsers let through (e.g. a salt argon2 rejects); to the
    // caller that is just "does not match".
    return false;
  }
}

export interface PasswordCheck {
  matches: boolean;
  /** The caller should store `hashPassword(plain)` now: an older format, weaker parameters, or a hash of the unnormalised text. */
  rehash: boolean;
}

/**
 * Checks a presented password against a stored hash, comparing the NFKC-normalised text (what
 * hashPassword stores). Hashes written before normalisation, or imported, may hold the text as it
 * was typed: a password that differs from its normal form is tried as typed too.
 */
export async function checkPassword(plain: string, stored: string): Promise<PasswordCheck> {
  if (typeof plain !== "string") return { matches: false, rehash: false };
  const normal = normalizePassword(plain);
  if (await verifyPassword(normal, stored)) return { matches: true, rehash: needsRehash(stored) };
  if (normal !== plain && (await verifyPassword(plain, stored))) return { matches: true, rehash: true };
  return { matches: false, rehash: false };
}

/**
 * True unless `stored` is an Argon2id v1.3 PHC string at least as strong as ARGON2_PARAMS
 * (memory, time, parallelism, and our salt and output lengths). Call it after a successful
 * verify and re-hash the plaintext when it says so.
 */
export function needsRehash(stored: string): boolean {
  if (typeof stored !== "string" || stored.length > MAX_STORED_LENGTH) return true;
  const phc = parseArgon2Phc(stored);
  if (!phc || phc.variant !== "argon2id" || phc.version !== 19) return true;
  return (
    phc.memoryCost < ARGON2_PARAMS.memoryCost ||
    phc.timeCost < ARGON2_PARAMS.timeCost ||
    phc.parallelism < ARGON2_PARAMS.parallelism ||
    phc.saltBytes < MIN_SALT_BYTES ||
    phc.hashBytes < ARGON2_PARAMS.outputLen
  );
}

let dummyHash: Promise<string> | undefined;

/**
 * For a login naming an unknown account: spends the same Argon2 work as verifying a real user's
 * hash, so response time does not reveal which e-mail addresses exist. Always `false`.
 */
export async function verifyAgainstDummy(plain: string): Promise<false> {
  // Mirror verifyPassword's early exits, or long inputs would be slow only for unknown users.
  if (typeof plain !== "string" || plain.length > MAX_PASSWORD_LENGTH) return false;
  let pending = dummyHash;
  if (!pending) {
    const created = hashPassword(randomBytes(32).toString("base64url"));
    pending = dummyHash = created;
    // Forget a failed attempt so the next call retries instead of failing forever.
    created.catch(() => {
      if (dummyHash === created) dummyHash = undefined;
    });
    // Creating the hash is one Argon2 run with the same parameters as a verify, so the call that
    // creates it has already spent the right amount of time; verifying as well would double it.
    await created.catch(() => undefined);
    return false;
  }
  try {
    await checkPassword(plain, await pending);
  } catch (error) {
    if (error instanceof AppError) throw error;
    // The outcome is fixed; only the time spent matters.
  }
  return false;
}

interface Argon2Phc {
  variant: "argon2id" | "argon2i";
  version: 16 | 19;
  memoryCost: number;
  timeCost: number;
  parallelism: number;
  saltBytes: number;
  hashBytes: number;
}

// No v= segment means Argon2 1.0 (0x10): argon2 releases before 2016 omitted it, and Django
// still verifies such hashes. argon2d is refused: it is not meant for password storage.
const ARGON2_PHC =
  /^\$(argon2id|argon2i)\$(?:v=(16|19)\$)?m=([1-9]\d{0,9}),t=([1-9]\d{0,9}),p=([1-9]\d{0,2})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

function parseArgon2Phc(s: string): Argon2Phc | undefined {
  const m = ARGON2_PHC.exec(s);
  if (!m) return undefined;
  const [, variant, version, mem, time, par, salt, hash] = m;
  if (!variant || !mem || !time || !par || !salt || !hash) return undefined;
  const saltBytes = unpaddedBase64Bytes(salt);
  const hashBytes = unpaddedBase64Bytes(hash);
  if (saltBytes === undefined || hashBytes === undefined) return undefined;
  const phc: Argon2Phc = {
    variant: variant === "argon2id" ? "argon2id" : "argon2i",
    version: version === "19" ? 19 : 16,
    memoryCost: Number(mem),
    timeCost: Number(time),
    parallelism: Number(par),
    saltBytes,
    hashBytes,
  };
  // Argon2's own minimums (8 KiB per lane, 8-byte salt, 4-byte output) and our DoS ceilings.
  // Checked here rather than in verify so needsRehash never calls an unverifiable hash "fine".
  if (
    phc.parallelism > MAX_ARGON2_PARALLELISM ||
    phc.memoryCost < 8 * phc.parallelism ||
    phc.memoryCost > MAX_ARGON2_MEMORY_KIB ||
    phc.timeCost > MAX_ARGON2_TIME ||
    phc.saltBytes < 8 ||
    phc.hashBytes < 4
  ) {
    return undefined;
  }
  return phc;
}

function unpaddedBase64Bytes(b64: string): number | undefined {
  // A remainder of 1 character cannot encode whole bytes.
  return b64.length % 4 === 1 ? undefined : Math.floor((b64.length * 3) / 4);
}

async function verifyArgon2(plain: string, phcString: string): Promise<boolean> {
  if (!parseArgon2Phc(phcString)) return false;
  // The library recomputes with the string's own parameters and compares in constant time.
  return await hashPool().hash<boolean>({ op: "argon2-verify", phc: phcString, password: plain });
}

// bcryptjs accepts a few more shapes than real bcrypt strings ($2$, 2-digit cost with no check);
// pin it to the modern prefixes and the exact 22-char salt + 31-char hash layout.
const BCRYPT = /^\$2[aby]\$(\d\d)\$[./A-Za-z0-9]{53}$/;

async function verifyBcrypt(plain: string, stored: string): Promise<boolean> {
  const m = BCRYPT.exec(stored);
  if (!m?.[1]) return false;
  const cost = Number(m[1]);
  if (cost < 4 || cost > MAX_BCRYPT_COST) return false;
  // bcryptjs compares the re-encoded string in constant time itself, on a hash thread. Only the
  // first 72 UTF-8 bytes count, as in bcrypt.
  return await hashPool().hash<boolean>({ op: "bcrypt-compare", password: plain, stored });
}

// <iterations>$<salt>$<base64 of the 32-byte derived key>; Django refuses "$" inside salts.
const DJANGO_PBKDF2 = /^([1-9]\d{0,8})\$([^$]+)\$([A-Za-z0-9+/]{43}=)$/;

async function verifyDjangoPbkdf2Sha256(plain: string, rest: string): Promise<boolean> {
  const m = DJANGO_PBKDF2.exec(rest);
  if (!m?.[1] || !m[2] || !m[3]) return false;
  const iterations = Number(m[1]);
  if (iterations > MAX_PBKDF2_ITERATIONS) return false;
  const expected = Buffer.from(m[3], "base64");
  if (expected.length !== 32) return false;
  // Django feeds both password and salt to PBKDF2 as UTF-8 and keeps sha256's 32-byte dklen.
  const derived = await hashPool().hash<Uint8Array>({ op: "pbkdf2-sha256", password: plain, salt: m[2], iterations, keyLength: 32 });
  return timingSafeEqual(derived, expected);
}

/**
 * Whether `stored` is in a format `verifyPassword` understands (for imports: a row with an
 * unknown format is reported instead of creating an account nobody can log in to).
 */
export function isRecognizedHashFormat(stored: string): boolean {
  if (typeof stored !== "string" || stored.length > MAX_STORED_LENGTH) return false;
  return /^(\$argon2id?\$|\$2[aby]\$|argon2\$\$argon2|pbkdf2_sha256\$|bcrypt_sha256\$\$2|bcrypt\$\$2)/.test(stored);
}
