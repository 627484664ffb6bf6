// A hash thread (lib/password/pool.ts): computes one password hash at a time and starts the next
// job waiting in its port as soon as one is done, without a turn of the main thread's event loop.
import { hashSync, verifySync } from "@node-rs/argon2";
import bcrypt from "bcryptjs";
import { pbkdf2Sync } from "node:crypto";
import { parentPort } from "node:worker_threads";

const ops = {
  // Answers once the libraries above are loaded: the server starts its threads with it.
  ready: () => true,
  "argon2-hash": (job) => hashSync(job.password, job.options),
  "argon2-verify": (job) => verifySync(job.phc, job.password),
  "bcrypt-compare": (job) => bcrypt.compareSync(job.password, job.stored),
  "pbkdf2-sha256": (job) => pbkdf2Sync(job.password, job.salt, job.iterations, job.keyLength, "sha256"),
};

parentPort.on("message", ({ id, job }) => {
  let reply;
  try {
    const op = ops[job.op];
    if (!op) throw new Error(`unknown hash job ${job.op}`);
    reply = { id, value: op(job) };
  } catch (error) {
    reply = { id, error: error instanceof Error ? error.message : String(error) };
  }
  parentPort.postMessage(reply);
});
