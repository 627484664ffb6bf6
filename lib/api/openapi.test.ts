import { describe, expect, it } from "vitest";
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { ENDPOINTS } from "./endpoints";
import { openApiDocument } from "./openapi";

describe("OpenAPI document", () => {
  const doc = openApiDocument(ENDPOINTS) as any;

  it("describes every endpoint of the contract", () => {
    expect(doc.openapi).toBe("3.1.0");
    for (const [path, method] of [
      ["/auth/", "post"], ["/auth/confirm-user", "post"], ["/auth/login", "post"], ["/auth/generate-link", "post"],
      ["/auth/reset-password", "post"], ["/auth/{user_id}/", "get"], ["/auth/{user_id}/", "put"], ["/auth/register/", "post"],
      ["/auth/register/google/", "post"], ["/auth/login/google/", "post"], ["/auth/resend/otp/", "post"], ["/auth/verify/otp/", "post"],
      ["/auth/token/refresh/", "post"], ["/auth/logout/", "post"], ["/auth/me/", "get"], ["/auth/password/change/", "post"], ["/healthz", "get"],
    ] as const) {
      expect(doc.paths[path]?.[method], `${method} ${path}`).toBeDefined();
    }
  });

  it("takes request bodies from the validating schemas", () => {
    const signup = doc.paths["/auth/"].post.requestBody.content["application/json"].schema;
    expect(signup.required).toEqual(["name", "dob", "email", "password", "mobile"]);
    expect(signup.properties.email).toMatchObject({ type: "string", format: "email" });
    expect(signup.properties.roleid).toMatchObject({ type: "integer" });
    const link = doc.paths["/auth/generate-link"].post.requestBody.content["application/json"].schema;
    expect(link.properties.request_type.enum).toEqual([1, 3]);
  });
});

/** Every route file under app/ that serves the API, with the path it names. */
function routeFiles(dir: string): Array<{ file: string; path: string | null }> {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return routeFiles(full);
    if (name !== "route.ts") return [];
    const served = /serve\("([^"]+)"\)/.exec(readFileSync(full, "utf8"));
    return [{ file: full, path: served?.[1] ?? null }];
  });
}

describe("endpoint declarations", () => {
  it("are each served by exactly one route file, and every served path is declared", () => {
    const served = routeFiles(path.join(process.cwd(), "app")).filter((r) => r.path !== null);
    const declared = [...new Set(ENDPOINTS.map((e) => e.path))];
    expect(served.map((r) => r.path).sort()).toEqual(declared.sort());
  });
});
