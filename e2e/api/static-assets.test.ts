import { request } from "node:http";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { baseUrl } from "./client";

/**
 * The build's scripts and stylesheets, compressed once by server.mjs (lib/http/static-assets.mjs):
 * the same bytes as Next.js serves, brotli or gzip by Accept-Encoding, each with its own ETag.
 * Raw HTTP, since fetch would undo the encoding the test is about.
 */

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function get(path: string, headers: Record<string, string> = {}, method = "GET"): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, baseUrl()), { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

/** A script and a stylesheet the login page loads. */
async function assetsOfLoginPage(): Promise<{ script: string; stylesheet: string }> {
  const html = (await get("/login", { "accept-encoding": "identity" })).body.toString("utf8");
  const script = /\/_next\/static\/[^"'\s]+\.js/.exec(html)?.[0];
  const stylesheet = /\/_next\/static\/[^"'\s]+\.css/.exec(html)?.[0];
  if (!script || !stylesheet) throw new Error("the login page names no script or stylesheet");
  return { script, stylesheet };
}

/** Compression runs in the background after start-up: waits until `path` is answered with brotli. */
async function compressed(path: string): Promise<Raw> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const res = await get(path, { "accept-encoding": "gzip, deflate, br" });
    if (res.headers["content-encoding"] === "br") return res;
    if (Date.now() > deadline) throw new Error(`${path} was not served with brotli within 60 s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe("the build's scripts and stylesheets", () => {
  it("come brotli-compressed when accepted: the bytes Next.js serves, cacheable for a year, with an ETag per encoding", async () => {
    const { script, stylesheet } = await assetsOfLoginPage();
    for (const path of [script, stylesheet]) {
      const plain = await get(path, { "accept-encoding": "identity" });
      expect(plain.status).toBe(200);
      expect(plain.headers["content-encoding"]).toBeUndefined();

      const br = await compressed(path);
      expect(br.status).toBe(200);
      expect(brotliDecompressSync(br.body).equals(plain.body)).toBe(true);
      expect(br.headers).toMatchObject({
        "cache-control": "public, max-age=31536000, immutable",
        "content-type": path.endsWith(".js") ? "application/javascript; charset=UTF-8" : "text/css; charset=UTF-8",
        vary: "Accept-Encoding",
        "content-length": String(br.body.length),
      });
      expect(br.headers.etag).toMatch(/^"[\w-]+-br"$/);

      const gz = await get(path, { "accept-encoding": "gzip" });
      expect(gz.headers["content-encoding"]).toBe("gzip");
      expect(gunzipSync(gz.body).equals(plain.body)).toBe(true);
      expect(gz.headers.etag).toMatch(/^"[\w-]+-gzip"$/);
      expect(gz.headers.etag).not.toBe(br.headers.etag);
    }
  });

  it("answer a matching If-None-Match with 304 and no body, HEAD without a body, and refuse nothing they do not know", async () => {
    const { script } = await assetsOfLoginPage();
    const br = await compressed(script);
    const notModified = await get(script, { "accept-encoding": "br", "if-none-match": String(br.headers.etag) });
    expect(notModified.status).toBe(304);
    expect(notModified.body.length).toBe(0);
    // The gzip representation's tag does not match the brotli one.
    const other = await get(script, { "accept-encoding": "br", "if-none-match": String(br.headers.etag).replace("-br", "-gzip") });
    expect(other.status).toBe(200);

    const head = await get(script, { "accept-encoding": "br" }, "HEAD");
    expect(head.status).toBe(200);
    expect(head.headers["content-length"]).toBe(String(br.body.length));
    expect(head.body.length).toBe(0);

    // Ranges and unknown files are Next.js's to answer, as before.
    const range = await get(script, { "accept-encoding": "br", range: "bytes=0-9" });
    expect(range.headers["content-encoding"]).not.toBe("br");
    expect((await get("/_next/static/no-such-file.js", { "accept-encoding": "br" })).status).toBe(404);
  });
});
