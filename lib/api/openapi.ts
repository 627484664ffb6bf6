import { z } from "zod";
import { config } from "@/lib/config/env";
import { bodySchemaOf, type Endpoint } from "./endpoint";

/**
 * The OpenAPI 3.1 description of the JSON API, generated from the endpoint declarations and the
 * zod schemas that validate their bodies, so the document cannot drift from what is served.
 */

const SECURITY = { none: [], access: [{ accessToken: [] }], link: [{ linkToken: [] }], client: [{}, { clientToken: [] }] } as const;

const envelope = {
  type: "object",
  required: ["success", "errors"],
  properties: {
    success: { type: "boolean" },
    errors: { type: "object", additionalProperties: true, description: "`<field>: string[]`; `errors: string[]` for errors tied to no field" },
  },
  additionalProperties: true,
};

export function openApiDocument(endpoints: readonly Endpoint<never, never, unknown>[]) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const e of endpoints) {
    const responses: Record<string, unknown> = {};
    for (const r of [{ status: e.success.status ?? 200, description: e.success.description }, ...e.failures]) {
      responses[String(r.status)] = { description: r.description, content: { "application/json": { schema: { $ref: "#/components/schemas/Envelope" } } } };
    }
    const body = bodySchemaOf(e);
    const pathParams = [
      ...[...e.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: "path", required: true, schema: { type: "integer" } })),
      ...queryParameters(e.query),
    ];
    (paths[e.path] ??= {})[e.method.toLowerCase()] = {
      summary: e.summary,
      security: SECURITY[e.auth],
      ...(pathParams.length ? { parameters: pathParams } : {}),
      ...(body
        ? {
            requestBody: {
              required: true,
              content: { "application/json": { schema: jsonSchema(body) }, "application/x-www-form-urlencoded": { schema: jsonSchema(body) } },
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

/** A query schema's members as OpenAPI query parameters. */
function queryParameters(schema: z.ZodType | undefined) {
  if (!schema) return [];
  const described = jsonSchema(schema) as { properties?: Record<string, { description?: string }>; required?: string[] };
  return Object.entries(described.properties ?? {}).map(([name, property]) => ({
    name,
    in: "query",
    required: described.required?.includes(name) ?? false,
    ...(property.description ? { description: property.description } : {}),
    schema: property,
  }));
}

function jsonSchema(schema: z.ZodType) {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
  return rest;
}
