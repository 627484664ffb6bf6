import { randomBytes } from "node:crypto";
import { inject } from "vitest";

export const baseUrl = () => inject("baseUrl");

/** A random client address for X-Forwarded-For (the test server trusts the proxy header). */
export const randomIp = () => `10.${randomBytes(3).join(".")}`;

export interface ApiResponse {
  status: number;
  headers: Headers;
  body: Record<string, any>;
  text: string;
}

/** Sends a request to the app under test and parses its JSON answer. */
export async function api(
  method: string,
  path: string,
  options: { json?: unknown; body?: string; headers?: Record<string, string>; baseUrl?: string } = {},
): Promise<ApiResponse> {
  // Each request comes from its own client address unless the test names one.
  const headers: Record<string, string> = { "x-forwarded-for": randomIp(), ...options.headers };
  let body = options.body;
  if (options.json !== undefined) {
    headers["content-type"] ??= "application/json";
    body = JSON.stringify(options.json);
  }
  const res = await fetch(`${options.baseUrl ?? baseUrl()}${path}`, { method, headers, body, redirect: "manual" });
  const text = await res.text();
  let parsed: Record<string, any> = {};
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = { __notJson: text.slice(0, 200) };
  }
  return { status: res.status, headers: res.headers, body: parsed, text };
}
