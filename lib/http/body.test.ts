import { describe, expect, it } from "vitest";
import { statusOf } from "@/lib/api/errors";
import { AppError } from "@/lib/errors";
import { MAX_BODY_BYTES, readBody } from "./body";

const post = (body: BodyInit | null, contentType?: string) =>
  new Request("http://localhost/auth/login", {
    method: "POST",
    body,
    headers: contentType ? { "content-type": contentType } : {},
  });

async function failure(request: Request): Promise<AppError> {
  try {
    await readBody(request);
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error("readBody accepted the request");
}

describe("readBody", () => {
  it("parses a JSON object", async () => {
    expect(await readBody(post('{"email":"a@b.co"}', "application/json; charset=utf-8"))).toEqual({ email: "a@b.co" });
  });

  it("parses a urlencoded form (DRF clients)", async () => {
    expect(await readBody(post("email=a%40b.co&request_type=3", "application/x-www-form-urlencoded"))).toEqual({
      email: "a@b.co",
      request_type: "3",
    });
  });

  it("answers a JSON object sent as a form (curl -d without a content type) with 400 naming the header", async () => {
    for (const text of ['{"email":"a@b.co"}', '  {"email":"a@b.co","password":"x"}\n']) {
      const e = await failure(post(text, "application/x-www-form-urlencoded"));
      expect(statusOf(e)).toBe(400);
      expect(e.byField("errors")).toEqual({
        errors: ["The body is JSON but was sent as a form. Send it with the header Content-Type: application/json."],
      });
    }
  });

  it("reads a form whose text only looks like JSON as a form", async () => {
    // Not an object, or not JSON: a form with an odd field name, as before.
    expect(await readBody(post("{email}=x", "application/x-www-form-urlencoded"))).toEqual({ "{email}": "x" });
    expect(await readBody(post("[1]", "application/x-www-form-urlencoded"))).toEqual({ "[1]": "" });
  });

  it("treats an empty body as an empty object whatever the content type", async () => {
    expect(await readBody(post(null))).toEqual({});
    expect(await readBody(post("", "text/plain"))).toEqual({});
  });

  it("rejects malformed JSON with 400", async () => {
    const e = await failure(post('{"email":', "application/json"));
    expect(statusOf(e)).toBe(400);
    expect(e.byField("errors").errors?.[0]).toMatch(/JSON parse error/);
  });

  it.each([
    ["[1,2]", "list"],
    ["null", "null"],
    ['"text"', "string"],
    ["42", "number"],
  ])("rejects the JSON value %s with 400", async (text, type) => {
    const e = await failure(post(text, "application/json"));
    expect(statusOf(e)).toBe(400);
    expect(e.byField("errors")).toEqual({ errors: [`Invalid data. Expected a dictionary, but got ${type}.`] });
  });

  it("rejects other content types with 415", async () => {
    const e = await failure(post("<xml/>", "application/xml"));
    expect(statusOf(e)).toBe(415);
    expect(e.byField("errors").errors).toEqual(['Unsupported media type "application/xml" in request.']);
    expect(statusOf(await failure(post("a", "multipart/form-data; boundary=x")))).toBe(415);
  });

  it("rejects a body over the limit with 413, declared or streamed", async () => {
    const big = JSON.stringify({ name: "x".repeat(MAX_BODY_BYTES) });
    expect(statusOf(await failure(post(big, "application/json")))).toBe(413);
    const stream = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 100; i++) controller.enqueue(new TextEncoder().encode("x".repeat(1024)));
        controller.close();
      },
    });
    const streamed = new Request("http://localhost/x", {
      method: "POST",
      body: stream,
      headers: { "content-type": "application/json" },
      // @ts-expect-error Node's fetch needs this for a streamed request body
      duplex: "half",
    });
    expect(statusOf(await failure(streamed))).toBe(413);
  });

  it("keeps __proto__ as plain data", async () => {
    const body = await readBody(post('{"__proto__":{"admin":true},"email":"a@b.co"}', "application/json"));
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
    expect(Object.getPrototypeOf(body)).toBeNull();
    expect(body.email).toBe("a@b.co");
  });
});
