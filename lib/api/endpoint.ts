import type { z } from "zod";
import type { Caller, ClientInfo } from "@/lib/auth/types";
import type { FailureShape } from "./errors";

/**
 * One declaration per endpoint of the JSON API: where it is, what it takes, who may call it, what
 * its failures carry, what it answers, and the one service call between. lib/api/entry.ts serves
 * the declarations and /auth/openapi.json describes them (lib/api/openapi.ts), so neither can
 * drift from the other.
 */

export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/**
 * - `none`: anyone;
 * - `access`: an access token of a live session (`Authorization: Bearer|Token <t>`) → `ctx.caller`;
 * - `link`: the token of an e-mailed link in the same header → `ctx.linkToken` (null when absent);
 * - `client`: VASITUM's client token, checked only when AUTH_CLIENT_TOKENS is set.
 */
export type Auth = "none" | "access" | "link" | "client";

export interface Context<P> {
  request: Request;
  requestId: string;
  client: ClientInfo;
  params: P;
}

type AuthContext<A extends Auth> = A extends "access" ? { caller: Caller } : A extends "link" ? { linkToken: string | null } : object;

export type EndpointContext<A extends Auth, P> = Context<P> & AuthContext<A>;

/** What a handler answers: the success body's members (the envelope is added), or a whole Response. */
export type Reply = Record<string, unknown> | Response;

export interface Endpoint<S extends z.ZodType | undefined = z.ZodType | undefined, A extends Auth = Auth, P = Record<string, never>>
  extends FailureShape {
  method: Method;
  /** As documented (and in OpenAPI), `{name}` for a parameter; answered with and without the trailing slash. */
  path: string;
  summary: string;
  auth: A;
  /**
   * The request body's schema (or a function making it, when it depends on the configuration);
   * without one the body is still read, so its size and syntax are checked.
   */
  body?: S | (() => S);
  /** A GET's query string's schema (its parameters, each a string as sent); the handler gets its output as its input. */
  query?: S;
  /** Path parameters from the segments named in braces; null means "no such resource" (404). */
  params?: (raw: Record<string, string>) => P | null;
  /** Runs before the body is validated (whose record a PUT names settles 403/404 before a 400). */
  precheck?: (ctx: EndpointContext<A, P>, rawBody: Record<string, unknown>) => Promise<void>;
  handle: (input: S extends z.ZodType ? z.output<S> : Record<string, unknown>, ctx: EndpointContext<A, P>) => Promise<Reply>;
  /** For the OpenAPI document. */
  success: { status?: number; description: string };
  failures: Array<{ status: number; description: string }>;
}

/** Declares an endpoint, keeping its body's type for the handler. */
export function endpoint<S extends z.ZodType | undefined = undefined, A extends Auth = "none", P = Record<string, never>>(
  spec: Endpoint<S, A, P>,
): Endpoint<S, A, P> {
  return spec;
}

// Responses the OpenAPI document lists for many endpoints.
export const BAD_REQUEST = (description: string) => ({ status: 400, description });
export const UNAUTHORIZED = { status: 401, description: "Missing or invalid access token, or its session has ended" };
export const RATE_LIMITED = { status: 429, description: "Too many requests (see Retry-After)" };
export const REAUTHENTICATE = {
  status: 403,
  description: "`reauthentication_required: true`: the session's last proof is older than REAUTH_MAX_AGE_SECONDS or missed a factor (POST /auth/reauthenticate/, then again)",
};
export const UNVERIFIED = { status: 403, description: "The e-mail address is not confirmed yet" };

export const bodySchemaOf = (e: { body?: z.ZodType | (() => z.ZodType) }): z.ZodType | undefined =>
  typeof e.body === "function" ? e.body() : e.body;

export const FORBIDDEN_NOT_ADMIN = { status: 403, description: "Not an admin, or an admin without two-factor while ADMIN_REQUIRE_TWO_FACTOR holds" };
