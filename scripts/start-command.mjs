// `npm start`'s command line (package.json) as something to spawn: its leading VAR=value
// assignments and node's arguments. The benchmark and the HTTP and browser tests start the server
// with it, so they run it under production's flags (the heap limits among them), and the server's
// pid is the child's own rather than a shell's. `script` names another one (`dev`, for the test
// of the README's walkthrough).
import { readFileSync } from "node:fs";
import path from "node:path";

export function startCommand(appDir, name = "start") {
  const script = JSON.parse(readFileSync(path.join(appDir, "package.json"), "utf8")).scripts[name];
  const words = script.trim().split(/\s+/);
  const env = {};
  while (words[0] && /^[A-Z_][A-Z0-9_]*=/.test(words[0])) {
    const [k, ...v] = words.shift().split("=");
    env[k] = v.join("=");
  }
  if (words[0] !== "node") throw new Error(`cannot run the start script directly: ${script}`);
  return { env, args: words.slice(1) };
}
