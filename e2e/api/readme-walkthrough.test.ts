import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startAppServer, type AppServer } from "../support/app-server";
import { api } from "./client";

/**
 * The README's "Try the API with curl" block, run as a reader runs it: every command through bash
 * and curl, in order, against `npm run dev`'s server. Each `<placeholder>` is filled from the answer
 * the README's comment names for it ("tokens.refresh is <refresh>" binds the next command's
 * answer), and each answer is checked. So editing the README changes what runs here, and a
 * command that stops working fails this test.
 */

const README = readFileSync(path.resolve(import.meta.dirname, "../../README.md"), "utf8");
const SECTION = "Try the API with curl";
/** How the README writes the server's address. */
const README_HOST = "localhost:3000";

interface Binding {
  /** Where the value is in the answer: `messages[0].link`. */
  path: string;
  /** The value's shape around the placeholder: `…/confirm?token=` before it. */
  prefix: string;
  placeholder: string;
}

interface Step {
  comments: string[];
  command: string;
  bindings: Binding[];
  /** "# … or …": the step is an alternative to the one before it (a reader runs one of them). */
  alternative: boolean;
}

const PLACEHOLDER = /<[a-z_][a-z_ ]*>/g;
/** `<path> is <prefix><placeholder>` in a comment, e.g. `messages[0].code is <code>`. */
const BINDING = /([A-Za-z_]\w*(?:\[\d+\]|\.[A-Za-z_]\w*)*) is ([^\s<]*)(<[a-z_][a-z_ ]*>)/g;

function walkthrough(): Step[] {
  const section = README.split(/^## /m).find((s) => s.startsWith(SECTION));
  const block = section && /```sh\n([\s\S]*?)```/.exec(section)?.[1];
  if (!block) throw new Error(`README.md has no sh block under "## ${SECTION}"`);
  const steps: Step[] = [];
  let comments: string[] = [];
  for (const line of block.replace(/\\\n/g, " ").split("\n")) {
    if (!line.trim()) continue;
    if (line.trimStart().startsWith("#")) {
      comments.push(line.trim());
      continue;
    }
    const bindings = comments.flatMap((c) => [...c.matchAll(BINDING)].map(([, p, prefix, placeholder]) => ({ path: p!, prefix: prefix!, placeholder: placeholder! })));
    steps.push({ comments, command: line, bindings, alternative: /^#\s*(…|\.\.\.)\s*or\b/.test(comments[0] ?? "") });
    comments = [];
  }
  return steps;
}

/**
 * The runs that take every command: run k takes the k-th of each set of alternatives (the code,
 * then the link). Each run after the first signs up another address, since the first holds the
 * README's.
 */
function runs(steps: Step[]): Step[][] {
  const choices = steps.map((_, i) => {
    let first = i;
    while (steps[first]!.alternative && first > 0) first--;
    return { first, index: i - first };
  });
  const count = Math.max(...choices.map((c) => c.index)) + 1;
  return Array.from({ length: count }, (_, k) => {
    const taken = steps.filter((_, i) => {
      const { first, index } = choices[i]!;
      const alternatives = choices.filter((c) => c.first === first).length;
      return index === Math.min(k, alternatives - 1);
    });
    return k === 0 ? taken : taken.map((s) => ({ ...s, command: s.command.replace(/([\w.-]+)@example\.com/g, `$1.run${k + 1}@example.com`) }));
  });
}

/** One bash for the whole walkthrough, as in a terminal: `J=…` holds for the commands after it. */
function shell() {
  const env: Record<string, string> = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/tmp", LC_ALL: "C.UTF-8" };
  const bash: ChildProcessWithoutNullStreams = spawn("bash", ["--noprofile", "--norc"], { env: env as NodeJS.ProcessEnv });
  let stdout = "";
  let stderr = "";
  bash.stdout.on("data", (d: Buffer) => (stdout += d.toString("utf8")));
  bash.stderr.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
  let count = 0;
  return {
    async run(command: string): Promise<{ stdout: string; stderr: string; status: number }> {
      const mark = `__walkthrough_step_${++count}__`;
      stdout = "";
      stderr = "";
      bash.stdin.write(`${command}\nprintf '\\n${mark} %d\\n' "$?"\n`);
      const done = new RegExp(`\\n${mark} (\\d+)\\n$`);
      const deadline = Date.now() + 60_000;
      for (;;) {
        const m = done.exec(stdout);
        if (m) return { stdout: stdout.slice(0, m.index), stderr, status: Number(m[1]) };
        if (bash.exitCode !== null) throw new Error(`bash ended during: ${command}\n${stderr}`);
        if (Date.now() > deadline) throw new Error(`no end within 60 s: ${command}\n${stdout}${stderr}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    close: () => bash.kill(),
  };
}

type Values = Record<string, string>;
type Answer = Record<string, any>;

function valueAt(answer: Answer, at: string): unknown {
  return (at.match(/[A-Za-z_]\w*|\d+/g) ?? []).reduce<unknown>((v, key) => (v as Record<string, unknown> | null | undefined)?.[key], answer);
}

/** Fills the README's placeholders from the values bound so far; one with no value is the README's mistake. */
function filled(command: string, values: Values): string {
  return command.replace(PLACEHOLDER, (placeholder) => {
    const value = values[placeholder];
    if (value === undefined) throw new Error(`${placeholder} is used before any comment of the README says where it comes from: ${command}`);
    return value;
  });
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

function bind(answer: Answer, bindings: Binding[], values: Values): void {
  for (const { path: at, prefix, placeholder } of bindings) {
    const value = valueAt(answer, at);
    expect(value ?? null, `the README says ${at} is ${prefix}${placeholder}; the answer: ${JSON.stringify(answer)}`).not.toBeNull();
    // "…" in the README stands for anything; what the placeholder stands for is one token or number.
    const pattern = new RegExp(`^${prefix.split("…").map(escapeRegExp).join(".*")}([\\w.-]+)$`);
    const m = pattern.exec(String(value));
    expect(m, `${at} is ${String(value)}, not ${prefix}${placeholder}`).not.toBeNull();
    values[placeholder] = m![1]!;
  }
}

/** `METHOD /path` of a curl command line, as curl sends it. */
function endpointOf(command: string): string {
  const url = /\bcurl\b.*?'?(?:https?:\/\/)?(?:localhost|127\.0\.0\.1):\d+(\/[^\s'?]*)/.exec(command)?.[1] ?? "?";
  const method = /\s-X\s+([A-Z]+)/.exec(command)?.[1] ?? (/\s(-d|--data)\s/.test(command) ? "POST" : "GET");
  return `${method} ${url}`;
}

/** The JSON a command sends with -d. */
const sentBody = (command: string) => JSON.parse(/\s-d\s+'([^']*)'/.exec(command)?.[1] ?? "{}") as Record<string, unknown>;

interface Context {
  command: string;
  before: Values;
  baseUrl: string;
}

const TOKENS = { access_token: expect.any(String), refresh: expect.any(String) };

/** What each endpoint's answer must hold besides `success: true` (docs/api.md), by `METHOD /path`. */
const ANSWERS: Array<[RegExp, (answer: Answer, c: Context) => void | Promise<void>]> = [
  [/^POST \/auth\/$/, (a) => expect(a).toMatchObject({ message: "sign up successfull & confirmation mail has been sent", userid: expect.any(Number) })],
  [
    /^GET \/dev\/mailbox\.json$/,
    (a, c) => {
      const to = new URL(`http://x${/'[^']*(\?[^']*)'/.exec(c.command)?.[1] ?? ""}`).searchParams.get("to");
      expect(a.messages.length).toBeGreaterThan(0);
      expect(a.messages.every((m: { to: string }) => m.to === to?.toLowerCase())).toBe(true);
    },
  ],
  [/^POST \/auth\/verify\/otp\/$/, (a) => expect(a).toMatchObject({ is_verified: true, tokens: TOKENS })],
  [/^POST \/auth\/confirm-user$/, (a) => expect(a).toMatchObject({ message: "user confirmed and active" })],
  [
    /^POST \/auth\/login\/$/,
    (a, c) => expect(a).toMatchObject({ message: "login_success", is_verified: true, tokens: TOKENS, user: { email: sentBody(c.command).email, userid: expect.any(Number) } }),
  ],
  [
    /^POST \/auth\/token\/refresh\/$/,
    (a, c) => {
      expect(a).toMatchObject({ tokens: TOKENS });
      expect(a.tokens.refresh).not.toBe(c.before["<refresh>"]);
    },
  ],
  [/^GET \/auth\/me\/$/, (a, c) => expect(String(a.user.userid)).toBe(c.before["<userid>"])],
  [/^PUT \/auth\/\d+\/$/, (a, c) => expect(a).toMatchObject({ message: "successful_updated", user: sentBody(c.command) })],
  [/^POST \/auth\/generate-link$/, (a) => expect(a).toMatchObject({ message: "email_sent_successfully" })],
  [/^POST \/auth\/reset-password$/, (a) => expect(a).toMatchObject({ message: "reset_password_successfully" })],
  [
    /^POST \/auth\/logout\/$/,
    async (_a, c) => {
      // The answer is the same for a dead session; that this one was live is checked before the command.
      const me = await api("GET", "/auth/me/", { baseUrl: c.baseUrl, headers: { authorization: `Bearer ${c.before["<access_token>"]}` } });
      expect(me.status, "the logged-out session's access token").toBe(401);
      const refresh = await api("POST", "/auth/token/refresh/", { baseUrl: c.baseUrl, json: { refresh: c.before["<refresh>"] } });
      expect(refresh.status, "the logged-out refresh token").toBe(401);
    },
  ],
];

/** Before a logout, the session it ends is live (the README's walkthrough once logged out a session its reset had ended). */
async function beforeRunning(endpoint: string, values: Values, baseUrl: string): Promise<void> {
  if (endpoint !== "POST /auth/logout/") return;
  const me = await api("GET", "/auth/me/", { baseUrl, headers: { authorization: `Bearer ${values["<access_token>"]}` } });
  expect(me.status, `the session to log out is live: ${me.text}`).toBe(200);
}

// Only on the SQLite pass: the walkthrough runs on `npm run dev`'s own embedded SQLite database
// whatever the suite's, so the PostgreSQL pass would repeat it exactly.
describe.skipIf(inject("databaseKind") !== "sqlite")(`README: ${SECTION}`, () => {
  let server: AppServer | undefined;
  let dataDir: string;

  // `npm run dev`'s server, as the README says: the dev mailbox exists only in development without
  // SMTP_URL (lib/mail/transport.ts), which the suite's production server is not. Its secrets and
  // embedded database go under a DATA_DIR of its own, as ./data for a reader. It compiles each
  // route on its first request (a few seconds), into .next/dev, apart from the production build;
  // it cannot start while another `npm run dev` runs in this checkout (Next.js's lock).
  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), "auth-test-readme-"));
    server = await startAppServer({ DATA_DIR: dataDir, LOG_LEVEL: "warn" }, { dev: true });
  });

  afterAll(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const steps = walkthrough();

  it("has the commands, placeholders and bindings this test reads", () => {
    expect(steps.length).toBeGreaterThan(5);
    expect(steps.some((s) => s.command.includes(README_HOST))).toBe(true);
    expect(steps.flatMap((s) => s.bindings).length).toBeGreaterThan(0);
    expect(steps.some((s) => s.alternative)).toBe(true);
  });

  runs(steps).forEach((run, k) => {
    it(`runs every command${k ? ` (run ${k + 1}: the other alternatives)` : ""}`, async () => {
      const host = server!.url.replace(/^https?:\/\//, "");
      const bash = shell();
      const values: Values = {};
      try {
        for (const step of run) {
          const command = filled(step.command, values).replaceAll(README_HOST, host);
          const endpoint = endpointOf(command);
          const what = `${step.comments.join(" ")}\n$ ${command}`;
          const isCurl = /^\s*curl\s/.test(command);
          if (isCurl) await beforeRunning(endpoint, values, server!.url);
          const before = { ...values };
          const { stdout, stderr, status } = await bash.run(command);
          expect({ status, stderr }, what).toEqual({ status: 0, stderr: "" });
          if (!isCurl) {
            expect(stdout, what).toBe("");
            continue;
          }
          let answer: Answer;
          try {
            answer = JSON.parse(stdout) as Answer;
          } catch {
            throw new Error(`not JSON: ${stdout.slice(0, 300)}\n${what}`);
          }
          expect(answer, `${what}\n${stdout}`).toMatchObject({ success: true, errors: {} });
          const check = ANSWERS.find(([pattern]) => pattern.test(endpoint));
          if (!check) throw new Error(`no check for ${endpoint}: add one to ANSWERS\n${what}`);
          try {
            bind(answer, step.bindings, values);
            await check[1](answer, { command, before, baseUrl: server!.url });
          } catch (error) {
            if (error instanceof Error) error.message += `\n${what}\n${stdout}`;
            throw error;
          }
        }
      } finally {
        bash.close();
      }
    }, 120_000);
  });

  // The page beside the JSON: its words in the reader's language, the mail in its recipient's.
  it("shows the dev mailbox page in the reader's language, German and Arabic (right to left)", async () => {
    const page = async (language: string) => {
      const res = await fetch(`${server!.url}/dev/mailbox?to=ada@example.com`, { headers: { "accept-language": language } });
      expect(res.status).toBe(200);
      return res.text();
    };
    const german = await page("de");
    expect(german).toMatch(/<html lang="de" dir="ltr"/);
    expect(german).toContain("Entwickler-Postfach");
    expect(german).toContain("Alle Mails zeigen");
    expect(german).toMatch(/Eingereiht<\/dt><dd><time dateTime="[^"]+">\d{2}\.\d{2}\.\d{4}, \d{2}:\d{2}:\d{2} \(UTC\)<\/time>/);
    // The walkthrough's mail was asked for without a language: it stays English.
    expect(german).toContain("Verify your e-mail address for");
    const arabic = await page("ar");
    expect(arabic).toMatch(/<html lang="ar" dir="rtl"/);
    expect(arabic).toContain("صندوق بريد التطوير");
    expect(arabic).toContain('<pre dir="auto"');
  }, 60_000);
});
