import { describe, expect, it } from "vitest";
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
