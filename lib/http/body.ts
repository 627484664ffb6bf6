import { AppError } from "@/lib/errors";
import { MAX_BODY_BYTES } from "./limits.mjs";

export { MAX_BODY_BYTES };

/**
 * Reads a request body as a plain object. JSON and urlencoded forms (what DRF clients send) are
 * accepted; an empty body is `{}` whatever the content type, so header-only calls such as
 * confirm-user work from any client.
 */
export async function readBody(request: Request): Promise<Record<string, unknown>> {
  const declared = Number(request.headers.get("content-length") ?? "NaN");
  if (Number.isFinite(declared) && declared > MAX_BODY_BYTES) {
    throw new AppError("PAYLOAD_TOO_LARGE", { params: { limit: MAX_BODY_BYTES } });
  }
  const bytes = await readLimited(request);
  if (bytes.length === 0) return {};

  const type = (request.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  const text = new TextDecoder("utf-8", { fatal: false }).decode(bytes);
  if (type === "application/json" || type.endsWith("+json")) return parseJsonObject(text);
  if (type === "application/x-www-form-urlencoded") {
    // `curl -d '{…}'` without a content type sends JSON as a form: read as one, it would be a
    // single field named after the whole text, and the answer a puzzling "field is required".
    if (isJsonObject(text)) throw new AppError("JSON_SENT_AS_FORM");
    return parseForm(text);
  }
  throw new AppError("UNSUPPORTED_MEDIA_TYPE", { params: { type: type || "none" } });
}

async function readLimited(request: Request): Promise<Uint8Array> {
  if (!request.body) return new Uint8Array();
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel().catch(() => {});
      throw new AppError("PAYLOAD_TOO_LARGE", { params: { limit: MAX_BODY_BYTES } });
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}

function parseJsonObject(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new AppError("MALFORMED_JSON");
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    const type = value === null ? "null" : Array.isArray(value) ? "list" : typeof value;
    throw new AppError("NOT_AN_OBJECT", { params: { type } });
  }
  // A null-prototype copy: keys like "__proto__" stay plain data and can never reach a prototype.
  return Object.assign(Object.create(null), value) as Record<string, unknown>;
}

function isJsonObject(text: string): boolean {
  const trimmed = text.trim();
  if (!trimmed.startsWith("{")) return false;
  try {
    const value: unknown = JSON.parse(trimmed);
    return value !== null && typeof value === "object" && !Array.isArray(value);
  } catch {
    return false;
  }
}

function parseForm(text: string): Record<string, unknown> {
  const out = Object.create(null) as Record<string, unknown>;
  for (const [k, v] of new URLSearchParams(text)) out[k] = v;
  return out;
}
