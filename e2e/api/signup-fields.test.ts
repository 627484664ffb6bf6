import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startAppServer, testSecrets, type AppServer } from "../support/app-server";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { api as apiOf } from "./client";
import { uniqueEmail } from "./helpers";

/**
 * SIGNUP_FIELDS on a server of its own: the sign-up page asks for what it names (an optional field
 * says so, the role menu offers the self-assignable roles), while the JSON API keeps asking for
 * its documented fields.
 */

let server: AppServer | undefined;
let database: TestDatabase | undefined;

beforeAll(async () => {
  database = await createTestDatabase(inject("databaseKind"));
  server = await startAppServer({
    ...testSecrets(),
    DATABASE_URL: database.url,
    SMTP_URL: inject("smtpUrl"),
    MAIL_FROM: "fields@example.test",
    LOG_LEVEL: "warn",
    SIGNUP_FIELDS: "name,mobile?,dob?,role",
  });
});

afterAll(async () => {
  await server?.stop();
  await database?.drop();
});

const page = async (path: string) => (await fetch(`${server!.url}${path}`, { headers: { accept: "text/html", "accept-language": "en" } })).text();
const labels = (html: string) => [...html.matchAll(/<label[^>]*>([^<]*)<\/label>/g)].map((m) => m[1]);

describe("SIGNUP_FIELDS=name,mobile?,dob?,role", () => {
  it("makes the sign-up page ask for the name, an optional mobile and date of birth, and a role", async () => {
    const html = await page("/signup");
    expect(labels(html)).toEqual(["Name", "Email", "Password", "Confirm password", "Mobile (optional)", "Date of birth (optional)", "Role"]);
    expect(html).toMatch(/<select[^>]*name="roleId"/);
    // A required role starts on the default one: no empty choice.
    expect(html).not.toContain('<option value="">');
    expect(html).toMatch(/<option value="\d+" selected="">/);
    expect(html).toContain("4 to 20 characters: digits");
  });

  it("leaves the JSON API's fields as documented", async () => {
    const res = await apiOf("POST", "/auth/", { baseUrl: server!.url, json: { email: uniqueEmail("fields"), password: "a long passphrase" } });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      success: false,
      errors: { name: ["This field is required."], dob: ["This field is required."], mobile: ["This field is required."] },
    });
  });
});
