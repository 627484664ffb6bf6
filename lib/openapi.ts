import { z } from "zod";
import { config } from "@/lib/config/env";
import {
  ChangePasswordRequest,
  EmailOnlyRequest,
  GenerateLinkRequest,
  GoogleTokenRequest,
  LoginRequest,
  RefreshRequest,
  RegisterRequest,
  ResetPasswordRequest,
  SignUpRequest,
  UpdateUserRequest,
  verifyOtpRequest,
} from "@/lib/validation/requests";

/**
 * The OpenAPI 3.1 description of the JSON API, generated from the same zod schemas that validate
 * the requests, so the document cannot drift from what the handlers accept.
 */

type Auth = "none" | "access" | "link" | "client";
interface Endpoint {
  method: "get" | "post" | "put";
  path: string;
  summary: string;
  body?: z.ZodType;
  auth: Auth;
  success: { status: number; description: string };
  failures: Array<{ status: number; description: string }>;
}

const bad = (description: string) => ({ status: 400, description });
const unauthorized = { status: 401, description: "Missing, invalid or expired access token" };
const limited = { status: 429, description: "Too many requests (see Retry-After)" };

function endpoints(): Endpoint[] {
  return [
    { method: "post", path: "/auth/", summary: "Sign up (confirmation e-mail with code and link)", body: SignUpRequest, auth: "none", success: { status: 201, description: "Created; `userid`" }, failures: [bad("Field errors; e-mail taken; role not allowed"), limited] },
    { method: "post", path: "/auth/confirm-user", summary: "Confirm an account with the e-mailed link token", auth: "link", success: { status: 200, description: "user confirmed and active" }, failures: [bad("errors.token: link invalid or expired")] },
    { method: "post", path: "/auth/register/", summary: "Register with e-mail and password (OTP e-mailed)", body: RegisterRequest, auth: "client", success: { status: 200, description: "`tokens`" }, failures: [bad("Field errors; e-mail taken (errors.errors)"), limited] },
    { method: "post", path: "/auth/register/google/", summary: "Register with a Google id_token", body: GoogleTokenRequest, auth: "client", success: { status: 200, description: "`tokens`" }, failures: [bad("errors.auth_token")] },
    { method: "post", path: "/auth/login", summary: "Log in (both documents' merged login)", body: LoginRequest, auth: "none", success: { status: 200, description: "`is_verified`, `tokens`, `user`" }, failures: [bad("Unknown e-mail or wrong password"), limited] },
    { method: "post", path: "/auth/login/google/", summary: "Log in with a Google id_token", body: GoogleTokenRequest, auth: "client", success: { status: 200, description: "`tokens`" }, failures: [bad("errors.auth_token")] },
    { method: "post", path: "/auth/verify/otp/", summary: "Verify the e-mailed code", body: verifyOtpRequest(config().otpLength), auth: "none", success: { status: 200, description: "`is_verified: true`, `tokens`" }, failures: [bad("errors.otp: Invalid OTP / OTP has expired"), limited] },
    { method: "post", path: "/auth/resend/otp/", summary: "E-mail a new code", body: EmailOnlyRequest, auth: "client", success: { status: 200, description: "Sent" }, failures: [bad("No such unverified account"), limited] },
    { method: "post", path: "/auth/generate-link", summary: "request_type 1: new confirmation e-mail; 3: password reset link", body: GenerateLinkRequest, auth: "none", success: { status: 200, description: "email_sent_successfully (also for unknown e-mails)" }, failures: [bad("Field errors"), limited] },
    { method: "post", path: "/auth/reset-password", summary: "Set a new password with the reset link token", body: ResetPasswordRequest, auth: "link", success: { status: 200, description: "reset_password_successfully" }, failures: [bad("errors.token or errors.password")] },
    { method: "post", path: "/auth/token/refresh/", summary: "Rotate a refresh token", body: RefreshRequest, auth: "none", success: { status: 200, description: "`tokens`" }, failures: [{ status: 401, description: "errors.refresh: invalid, expired or reused (the family is revoked)" }] },
    { method: "post", path: "/auth/logout/", summary: "Revoke a refresh token's family", body: RefreshRequest, auth: "none", success: { status: 200, description: "Revoked" }, failures: [bad("Field errors")] },
    { method: "get", path: "/auth/me/", summary: "The signed-in user", auth: "access", success: { status: 200, description: "`user`" }, failures: [unauthorized] },
    { method: "get", path: "/auth/{user_id}/", summary: "Read a user (own, or any as admin)", auth: "access", success: { status: 200, description: "`user`" }, failures: [unauthorized, { status: 403, description: "Another user's id" }, { status: 404, description: "Unknown id" }] },
    { method: "put", path: "/auth/{user_id}/", summary: "Update name, mobile, date of birth", body: UpdateUserRequest, auth: "access", success: { status: 200, description: "successful_updated, `user`" }, failures: [bad("Field errors; read-only fields"), unauthorized, { status: 403, description: "Another user's id" }, { status: 404, description: "Unknown id" }] },
    { method: "post", path: "/auth/password/change/", summary: "Change (or, for Google-only accounts, set) the password", body: ChangePasswordRequest, auth: "access", success: { status: 200, description: "Changed; other sessions revoked" }, failures: [bad("errors.old_password / errors.new_password"), unauthorized] },
    { method: "get", path: "/healthz", summary: "Health, including the database", auth: "none", success: { status: 200, description: "`status: ok`, `db: ok`" }, failures: [{ status: 503, description: "Database unreachable" }] },
  ];
}

const envelope = {
  type: "object",
  required: ["success", "errors"],
  properties: {
    success: { type: "boolean" },
    errors: { type: "object", additionalProperties: true, description: "`<field>: string[]`; `errors: string[]` for errors tied to no field" },
  },
  additionalProperties: true,
};

export function openApiDocument() {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const e of endpoints()) {
    const security = e.auth === "access" ? [{ accessToken: [] }] : e.auth === "link" ? [{ linkToken: [] }] : e.auth === "client" ? [{}, { clientToken: [] }] : [];
    const responses: Record<string, unknown> = {};
    for (const r of [e.success, ...e.failures]) {
      responses[String(r.status)] = { description: r.description, content: { "application/json": { schema: { $ref: "#/components/schemas/Envelope" } } } };
    }
    (paths[e.path] ??= {})[e.method] = {
      summary: e.summary,
      security,
      ...(e.path.includes("{user_id}") ? { parameters: [{ name: "user_id", in: "path", required: true, schema: { type: "integer" } }] } : {}),
      ...(e.body
        ? {
            requestBody: {
              required: true,
              content: {
                "application/json": { schema: jsonSchema(e.body) },
                "application/x-www-form-urlencoded": { schema: jsonSchema(e.body) },
              },
            },
          }
        : {}),
      responses,
    };
  }
  return {
    openapi: "3.1.0",
    info: { title: `${config().appName} auth API`, version: "1.0.0", description: "Every path also answers with a trailing slash (or without one)." },
    servers: [{ url: config().appUrl }],
    paths,
    components: {
      schemas: { Envelope: envelope },
      securitySchemes: {
        accessToken: { type: "http", scheme: "bearer", bearerFormat: "JWT", description: "`Authorization: Bearer <access token>` or `Token <access token>`" },
        linkToken: { type: "apiKey", in: "header", name: "Authorization", description: "`Token <token from the e-mailed link>`" },
        clientToken: { type: "apiKey", in: "header", name: "Authorization", description: "`Token <client token>`, required only when AUTH_CLIENT_TOKENS is set" },
      },
    },
  };
}

function jsonSchema(schema: z.ZodType) {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
  return rest;
}
