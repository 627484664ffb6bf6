import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startAppServer, testSecrets, type AppServer } from "../support/app-server";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { api as apiOf } from "./client";
import { randomBytes } from "node:crypto";
import { actionId, STRONG_PASSWORD, uniqueEmail } from "./helpers";

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
/** The sign-up page's action, posted as React's client posts it (helpers.ts postFormAction, on this server). */
async function signUp(fields: Record<string, string>) {
  const boundary = `----test${randomBytes(12).toString("hex")}`;
  const parts = [...Object.entries(fields).map(([k, v]) => [`_1_${k}`, v]), ["0", `[{"status":"idle"},"$K1"]`]];
  const body = parts.map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`).join("") + `--${boundary}--\r\n`;
  const res = await fetch(`${server!.url}/signup`, {
    method: "POST",
    redirect: "manual",
    headers: {
      origin: server!.url,
      accept: "text/x-component",
      "accept-language": "en",
      "next-action": actionId("signUpAction"),
      "content-type": `multipart/form-data; boundary=${boundary}`,
    },
    body,
  });
  return { redirect: res.headers.get("x-action-redirect"), text: await res.text() };
}

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

  it("has the sign-up action follow it: optional fields may stay empty, a filled one is checked, the role is required", async () => {
    const base = { name: "Ada", password: STRONG_PASSWORD, confirmPassword: STRONG_PASSWORD, roleId: "2" };
    const email = uniqueEmail("fields");
    expect((await signUp({ ...base, email, mobile: "", dob: "" })).redirect).toMatch(/^\/verify\?email=/);
    const wrongMobile = await signUp({ ...base, email: uniqueEmail("fields"), mobile: "12", dob: "" });
    expect(wrongMobile.redirect).toBeNull();
    expect(wrongMobile.text).toContain("Enter a phone number of 4 to 20 characters");
    const noRole = await signUp({ ...base, email: uniqueEmail("fields"), roleId: "" });
    expect(noRole.redirect).toBeNull();
    expect(noRole.text).toContain("Choose one of the options.");
    const noName = await signUp({ ...base, email: uniqueEmail("fields"), name: "" });
    expect(noName.text).toContain("Fill in this field.");
    // The answer is the action's state alone (not a page carrying the whole catalog): its words are the form's errors.
    expect(noName.text).not.toContain("Create an account");
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
