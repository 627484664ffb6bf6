// Benchmark data for the verify scenario: `count` unverified accounts, each with an open
// verification whose code is known, written straight through the data layer (no mail is queued:
// the bench measures the check of a code, not the delivery of thousands of e-mails).
//   tsx scripts/bench/seed-unverified.ts <count> <out.json>   (with the server's environment)
// Prints nothing; writes [{ email, otp }] to out.json.
import { writeFileSync } from "node:fs";
import { secondsFromNow } from "@/lib/clock";
import { codeDigest, newCode } from "@/lib/auth/codes";
import { CODE_LIFETIME_SECONDS, LINK_LIFETIME_SECONDS } from "@/lib/auth/email-verification";
import { database, disconnectDb, transaction } from "@/lib/db";
import { defaultRole } from "@/lib/db/roles";
import { insertUsersIfNew } from "@/lib/db/users";
import { addVerifications, type NewVerification } from "@/lib/db/verifications";
import { hashPassword } from "@/lib/password/hash";
import { randomToken, sha256Hex } from "@/lib/tokens/hash";

const [countArg, out] = process.argv.slice(2);
const count = Number(countArg);
if (!Number.isInteger(count) || count <= 0 || !out) {
  console.error("usage: tsx scripts/bench/seed-unverified.ts <count> <out.json>");
  process.exit(2);
}

const CHUNK = 1000;
const runId = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const passwordHash = await hashPassword("Bench-password-123!");
const roleId = (await defaultRole(database)).id;
const pairs: Array<{ email: string; otp: string }> = [];

for (let start = 0; start < count; start += CHUNK) {
  const emails = Array.from({ length: Math.min(CHUNK, count - start) }, (_, i) => `v-${runId}-${start + i}@bench.local`);
  await transaction(async (tx) => {
    const users = await insertUsersIfNew(tx, emails.map((email) => ({ email, passwordHash, roleId })));
    const rows = users.map((user): NewVerification => {
      const tokenHash = sha256Hex(randomToken());
      const otp = newCode();
      pairs.push({ email: user.email, otp });
      return {
        userId: user.id,
        purpose: "verify_email",
        tokenHash,
        expiresAt: secondsFromNow(LINK_LIFETIME_SECONDS),
        codeHash: codeDigest(otp, tokenHash),
        codeExpiresAt: secondsFromNow(CODE_LIFETIME_SECONDS),
      };
    });
    await addVerifications(tx, rows);
  });
}
writeFileSync(out, JSON.stringify(pairs));
await disconnectDb();
