// Runs migrateDeploy (wasm-engine.mjs) on a thread of its own for the server's start-up: the engine
// (its WebAssembly module and memory, some 30 MB) leaves the process with the thread, instead of
// staying resident for the server's lifetime after a job it does once.
import { parentPort, workerData } from "node:worker_threads";
import { migrateDeploy } from "./wasm-engine.mjs";

try {
  parentPort.postMessage({ applied: await migrateDeploy(workerData) });
} catch (error) {
  parentPort.postMessage({ error: { name: error?.name, message: error?.message ?? String(error), code: error?.code } });
}
