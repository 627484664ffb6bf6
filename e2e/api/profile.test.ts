import { describe, expect, it } from "vitest";
import { api } from "./client";
import { authHeader, execSql, registeredVerifiedUser, signedUpUser } from "./helpers";

/** `GET /auth/{user_id}/`, `PUT /auth/{user_id}/` (the Django service's "update user details") and `GET /auth/me/`. */

const getUser = (id: number | string, token?: string, scheme: "Token" | "Bearer" = "Token") =>
  api("GET", `/auth/${id}/`, { headers: token ? authHeader(token, scheme) : {} });
const putUser = (id: number | string, token: string | undefined, body: unknown) =>
  api("PUT", `/auth/${id}/`, { headers: token ? authHeader(token, "Token") : {}, json: body });

/**
 * Admin is granted from the command line, not over HTTP. The project has no such command yet
 * (lib/db/users.ts setRole has no caller), so the test does what it would: one UPDATE.
 */
const grantAdmin = (email: string) =>
  execSql(`UPDATE "User" SET "roleId" = (SELECT "id" FROM "Role" WHERE "name" = 'admin') WHERE "email" = $1`, [email]);

describe("GET /auth/{user_id}/ and GET /auth/me/", () => {
  it("return the caller's own user", async () => {
    const { email, userId } = await signedUpUser({ name: "Laurhtdhcen", dob: "1990-05-17", mobile: "9090909090", roleid: 4 });
    const login = await api("POST", "/auth/login", { json: { email, password: "correct horse battery staple" } });
    const token = login.body.tokens.access_token;
    const expected = {
      success: true,
      errors: {},
      user: { userid: userId, email, name: "Laurhtdhcen", dob: "1990-05-17", mobile: "9090909090", roleid: 4, is_verified: false },
    };
    const byId = await getUser(userId, token);
    expect(byId.status, byId.text).toBe(200);
    expect(byId.body).toEqual(expected);
    expect((await api("GET", `/auth/${userId}`, { headers: authHeader(token) })).body).toEqual(expected);
    const me = await api("GET", "/auth/me/", { headers: authHeader(token) });
    expect(me.body).toEqual(expected);
    expect((await api("GET", "/auth/me", { headers: authHeader(token, "Token") })).body).toEqual(expected);
  });

  it("show a VASITUM account with empty name and mobile and no dob", async () => {
    const { userId, email, tokens } = await registeredVerifiedUser();
    const res = await getUser(userId, tokens.access_token, "Bearer");
    expect(res.body.user).toEqual({ userid: userId, email, name: "", dob: null, mobile: "", roleid: 2, is_verified: true });
  });

  it("answer 401 without a token or with a bad one", async () => {
    const { userId } = await registeredVerifiedUser();
    for (const res of [await getUser(userId), await getUser(userId, "garbage"), await api("GET", "/auth/me/")]) {
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ success: false, errors: { errors: [expect.any(String)] } });
    }
  });

  it("answer 403 for another user's id", async () => {
    const me = await registeredVerifiedUser();
    const other = await registeredVerifiedUser();
    const res = await getUser(other.userId, me.tokens.access_token);
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ success: false, errors: { errors: [expect.any(String)] } });
  });

  it("answer 403, not 404, for an id that does not exist (a non-admin learns nothing)", async () => {
    const me = await registeredVerifiedUser();
    expect((await getUser(999_999_999, me.tokens.access_token)).status).toBe(403);
  });

  it.each(["abc", "12abc", "-1", "1.5", "0x10", "9999999999999"])("answer a JSON 404 for the id %s", async (id) => {
    const me = await registeredVerifiedUser();
    const res = await getUser(id, me.tokens.access_token);
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ success: false, errors: { errors: ["Not found."] } });
  });
});

describe("PUT /auth/{user_id}/", () => {
  it("updates name, mobile and dob: 200 successful_updated with the user", async () => {
    const { userId, email, tokens } = await registeredVerifiedUser();
    const res = await putUser(userId, tokens.access_token, { name: "Laurhtdhcen", mobile: "9090909090", dob: "2001-02-03" });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({
      success: true,
      errors: {},
      message: "successful_updated",
      user: { userid: userId, email, name: "Laurhtdhcen", dob: "2001-02-03", mobile: "9090909090", roleid: 2, is_verified: true },
    });
    expect((await getUser(userId, tokens.access_token)).body.user).toEqual(res.body.user);
  });

  it("changes only the fields given (the document's example sends name and mobile)", async () => {
    const { userId, email, password } = await signedUpUser({ name: "First", dob: "1990-01-01", mobile: "1111111" });
    const token = (await api("POST", "/auth/login", { json: { email, password } })).body.tokens.access_token;
    const res = await putUser(userId, token, { mobile: "9090909090" });
    expect(res.status, res.text).toBe(200);
    expect(res.body.user).toMatchObject({ name: "First", dob: "1990-01-01", mobile: "9090909090" });
    const empty = await putUser(userId, token, {});
    expect(empty.status).toBe(200);
    expect(empty.body.user).toMatchObject({ name: "First", dob: "1990-01-01", mobile: "9090909090" });
  });

  it("answers without the trailing slash and accepts a form-encoded body", async () => {
    const { userId, tokens } = await registeredVerifiedUser();
    const res = await api("PUT", `/auth/${userId}`, {
      headers: { ...authHeader(tokens.access_token), "content-type": "application/x-www-form-urlencoded" },
      body: "name=Form+Name&mobile=%2B44+20+7946+0958",
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body.user).toMatchObject({ name: "Form Name", mobile: "+44 20 7946 0958" });
  });

  it.each([
    [{ dob: "2023-02-30" }, { dob: ["Enter a valid date."] }],
    [{ dob: "03/02/2001" }, { dob: ["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."] }],
    [{ mobile: "call me" }, { mobile: ["Enter a valid mobile number."] }],
    [{ name: "n".repeat(151) }, { name: ["Ensure this field has no more than 150 characters."] }],
    [{ name: "" }, { name: ["This field may not be blank."] }],
    [{ name: null }, { name: ["This field may not be null."] }],
    [{ name: ["a"] }, { name: ["Not a valid string."] }],
    [{ name: "a\u0000b" }, { name: ["Null characters are not allowed."] }],
    [{ mobile: "", dob: "x" }, { mobile: ["This field may not be blank."], dob: ["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."] }],
  ])("answers invalid fields with 400: %j", async (body, errors) => {
    const { userId, tokens } = await registeredVerifiedUser();
    const res = await putUser(userId, tokens.access_token, body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ success: false, errors });
  });

  it.each(["email", "password", "roleid"])("refuses the read-only field %s with 400 and changes nothing", async (field) => {
    const { userId, tokens, email } = await registeredVerifiedUser();
    const value = field === "roleid" ? 1 : field === "email" ? "new@example.test" : "a new long password";
    const res = await putUser(userId, tokens.access_token, { name: "Changed", [field]: value });
    expect(res.status).toBe(400);
    expect(res.body.success).toBe(false);
    expect(res.body.errors[field]).toEqual([expect.any(String)]);
    const after = (await getUser(userId, tokens.access_token)).body.user;
    expect(after).toMatchObject({ email, name: "", roleid: 2 });
  });

  it("answers 403 for another user's id and changes nothing, whatever the body", async () => {
    const me = await registeredVerifiedUser();
    const other = await registeredVerifiedUser();
    const res = await putUser(other.userId, me.tokens.access_token, { name: "Hijacked" });
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ success: false, errors: { errors: [expect.any(String)] } });
    expect((await putUser(other.userId, me.tokens.access_token, { roleid: 1 })).status).toBe(403);
    expect((await putUser(other.userId, me.tokens.access_token, { dob: "not a date" })).status).toBe(403);
    expect((await getUser(other.userId, other.tokens.access_token)).body.user.name).toBe("");
  });

  it("answers 401 without a token", async () => {
    const { userId } = await registeredVerifiedUser();
    const res = await putUser(userId, undefined, { name: "Nobody" });
    expect(res.status).toBe(401);
    expect(res.body.success).toBe(false);
  });

  it("answers a JSON 404 for a non-numeric id", async () => {
    const { tokens } = await registeredVerifiedUser();
    const res = await putUser("abc", tokens.access_token, { name: "x" });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ success: false, errors: { errors: ["Not found."] } });
  });
});

describe("an admin", () => {
  it("reads and updates any user, and gets 404 for an unknown id", async () => {
    const admin = await registeredVerifiedUser();
    await grantAdmin(admin.email);
    const other = await registeredVerifiedUser();

    const read = await getUser(other.userId, admin.tokens.access_token);
    expect(read.status, read.text).toBe(200);
    expect(read.body.user).toEqual({ userid: other.userId, email: other.email, name: "", dob: null, mobile: "", roleid: 2, is_verified: true });

    const updated = await putUser(other.userId, admin.tokens.access_token, { name: "Set by admin" });
    expect(updated.status, updated.text).toBe(200);
    expect(updated.body.user).toMatchObject({ userid: other.userId, name: "Set by admin" });

    const unknown = await getUser(999_999_999, admin.tokens.access_token);
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ success: false, errors: { errors: ["Not found."] } });
    expect((await putUser(999_999_999, admin.tokens.access_token, { name: "x" })).status).toBe(404);
    expect((await putUser(999_999_999, admin.tokens.access_token, { dob: "not a date" })).status).toBe(404);
  });

  it("still cannot change another user's read-only fields", async () => {
    const admin = await registeredVerifiedUser();
    await grantAdmin(admin.email);
    const other = await registeredVerifiedUser();
    const res = await putUser(other.userId, admin.tokens.access_token, { roleid: 1 });
    expect(res.status).toBe(400);
    expect((await getUser(other.userId, other.tokens.access_token)).body.user.roleid).toBe(2);
  });
});
