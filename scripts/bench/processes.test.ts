import { spawn } from "node:child_process";
import { once } from "node:events";
import { describe, expect, it } from "vitest";
import { childrenOf } from "../postgres-cluster.mjs";
import { CLK_TCK, processTreeTicks } from "./processes.mjs";

// A parent that starts a child which spins for about 0.6 s of CPU and ends, reaps it, then waits:
// as a database server's postmaster does with a backend or an autovacuum worker.
const PARENT = `
const { spawnSync } = require("node:child_process");
spawnSync(process.execPath, ["-e", "const end = Date.now() + 600; while (Date.now() < end);"]);
console.log("reaped");
setTimeout(() => {}, 60_000);
`;

describe.skipIf(process.platform !== "linux")("processTreeTicks", () => {
  it("counts the CPU of a child that ended between two readings", async () => {
    const parent = spawn(process.execPath, ["-e", PARENT], { stdio: ["ignore", "pipe", "inherit"] });
    try {
      const tree = () => [parent.pid!, ...childrenOf(parent.pid!)];
      const before = processTreeTicks(tree);
      await once(parent.stdout!, "data");
      const spent = (processTreeTicks(tree) - before) / CLK_TCK;
      expect(spent).toBeGreaterThan(0.4);
    } finally {
      parent.kill();
    }
  });
});
