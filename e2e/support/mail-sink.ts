import { createServer, type Server } from "node:http";
import { simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";
import { freePort } from "./ports";

/**
 * A real SMTP server on 127.0.0.1 that keeps every message it accepts, plus a small HTTP API so
 * test workers (other processes) can read them: GET /messages?to=addr, DELETE /messages,
 * POST /outage?on=1|0 (refuse mail with a temporary 451 error, as a broken relay would).
 */
export interface CapturedMail {
  to: string[];
  from: string;
  subject: string;
  text: string;
  html: string;
  receivedAt: string;
}

export interface MailSink {
  smtpUrl: string;
  apiUrl: string;
  close(): Promise<void>;
}

export async function startMailSink(): Promise<MailSink> {
  const messages: CapturedMail[] = [];
  let outage = false;
  const smtpPort = await freePort();
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onAuth: (_auth, _session, callback) => callback(null, { user: "test" }),
    onRcptTo: (_address, _session, callback) => {
      if (outage) {
        const error = new Error("Service temporarily unavailable") as Error & { responseCode: number };
        error.responseCode = 451;
        return callback(error);
      }
      callback();
    },
    onData: (stream, session, callback) => {
      simpleParser(stream)
        .then((parsed) => {
          messages.push({
            to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
            subject: parsed.subject ?? "",
            text: parsed.text ?? "",
            html: typeof parsed.html === "string" ? parsed.html : "",
            receivedAt: new Date().toISOString(),
          });
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise<void>((resolve) => smtp.listen(smtpPort, "127.0.0.1", resolve));

  const apiPort = await freePort();
  const api: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    res.setHeader("content-type", "application/json");
    if (url.pathname === "/messages" && req.method === "GET") {
      const to = url.searchParams.get("to")?.toLowerCase();
      res.end(JSON.stringify(to ? messages.filter((m) => m.to.includes(to)) : messages));
    } else if (url.pathname === "/messages" && req.method === "DELETE") {
      messages.length = 0;
      res.end("{}");
    } else if (url.pathname === "/outage" && req.method === "POST") {
      outage = url.searchParams.get("on") === "1";
      res.end(JSON.stringify({ outage }));
    } else {
      res.statusCode = 404;
      res.end("{}");
    }
  });
  await new Promise<void>((resolve) => api.listen(apiPort, "127.0.0.1", resolve));

  return {
    smtpUrl: `smtp://127.0.0.1:${smtpPort}`,
    apiUrl: `http://127.0.0.1:${apiPort}`,
    close: async () => {
      await new Promise<void>((resolve) => api.close(() => resolve()));
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
    },
  };
}
