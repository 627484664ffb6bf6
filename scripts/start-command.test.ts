import { execFileSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { startCommand } from "./start-command.mjs";

const ROOT = path.resolve(import.meta.dirname, "..");

// One Argon2id hash, then 64 MiB of native memory in blocks of 256 KiB: how much of it glibc puts
// in its main heap ([heap] in smaps), where freed memory may stay resident, instead of in
// mappings of their own, which go back to the system when freed. The heap also grows by the
// process's own small allocations meanwhile (5 MiB once, in a run of the whole suite), so the
// blocks are many enough that a quarter of them stands well above that.
const BLOCKS = 256;
const PROBE = `
import { hashSync } from "@node-rs/argon2";
import { readFileSync } from "node:fs";
import params from "./lib/password/params.json" with { type: "json" };
const BLOCKS = ${BLOCKS};
const heapKb = () => {
  const smaps = readFileSync("/proc/self/smaps", "utf8");
  const at = smaps.indexOf("[heap]");
  return at < 0 ? 0 : Number(smaps.slice(at).match(/\\nRss:\\s+(\\d+)/)[1]);
};
hashSync("a password", params);
const before = heapKb();
const held = Array.from({ length: BLOCKS }, () => Buffer.alloc(256 * 1024, 1));
console.log(JSON.stringify({ before, during: heapKb(), blocks: held.length }));
`;

describe("npm start's command line", () => {
  // glibc raises its mmap threshold to the size of the largest mapped block it has freed (up to
  // 32 MiB; a password hash frees one) and its trim threshold to twice that, so afterwards blocks
  // of a request's size went into the heap, and up to twice the threshold of it could stay
  // resident once freed: peaks over 300 MB under load. A fixed threshold
  // (MALLOC_MMAP_THRESHOLD_) turns that off.
  it.runIf(process.platform === "linux")("keeps large native blocks out of the heap after a password hash, so that they go back to the system when freed", () => {
    const start = startCommand(ROOT);
    const out = execFileSync(process.execPath, ["--input-type=module", "-e", PROBE], {
      cwd: ROOT,
      env: { ...process.env, ...start.env },
      encoding: "utf8",
    });
    const { before, during } = JSON.parse(out.trim().split("\n").pop()!);
    // Less than a quarter of the blocks' 64 MiB (KiB here); without the fixed threshold all of it.
    expect(during - before).toBeLessThan((BLOCKS * 256) / 4);
  });
});
