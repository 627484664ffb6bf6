import { describe, expect, it } from "vitest";
import { advance, appError, client, failure, MINUTE, setUpAuthTests, twoFactorUser, verifiedUser } from "@/lib/auth/testing";

const db = setUpAuthTests();

const { addClientAsAdmin, clientsForAdmin, removeClientAsAdmin } = await import("./clients");
const { grantRole } = await import("@/lib/auth/admin");
const { authenticate, startAppSession } = await import("@/lib/auth/sessions");
const { database } = await import("@/lib/db");
const { execute, sql } = await import("@/lib/db/sql");
const { onPostgres } = await import("@/lib/db/testing");

/** A statement of fixed text (no values). */
const raw = (text: string) => sql(Object.assign([text], { raw: [text] }) as unknown as TemplateStringsArray);

/** Makes the database refuse audit events of `type` until the returned function is called. */
async function refuseAuditEvents(type: string): Promise<() => Promise<void>> {
  if (onPostgres()) {
    await execute(database, raw(`CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW."type" = '${type}' THEN RAISE EXCEPTION 'audit refused'; END IF; RETURN NEW; END $$`));
    await execute(database, raw(`CREATE TRIGGER refuse_audit BEFORE INSERT ON "AuditEvent" FOR EACH ROW EXECUTE FUNCTION refuse_audit()`));
    return async () => {
      await execute(database, raw(`DROP TRIGGER refuse_audit ON "AuditEvent"`));
      await execute(database, raw(`DROP FUNCTION refuse_audit()`));
    };
  }
  await execute(database, raw(`CREATE TRIGGER refuse_audit BEFORE INSERT ON "AuditEvent" WHEN NEW."type" = '${type}' BEGIN SELECT RAISE(ABORT, 'audit refused'); END`));
  return async () => void (await execute(database, raw(`DROP TRIGGER refuse_audit`)));
}

const APP = { name: "Example Planner", redirectUris: ["https://planner.example.test/callback"] };

/** An admin with two-factor on, signed in just now with both factors: a fresh proof. */
async function freshAdmin() {
  const { email } = await twoFactorUser("admin");
  const user = await grantRole(email, "admin");
  const { tokens } = await startAppSession(database, user, client, { method: "password", secondFactor: "totp" });
  return authenticate(tokens.accessToken);
}

const auditOf = (type: string) => db().auditEvent.findMany({ where: { type }, orderBy: { id: "asc" } });

describe("the console's Apps", () => {
  it("an admin adds a client (its secret once), sees it listed, removes it; both written to the audit log with the admin as actor", async () => {
    const admin = await freshAdmin();
    const created = await addClientAsAdmin(admin, { ...APP, firstParty: true }, client);
    expect(created.client_secret).toMatch(/^[\w-]{43}$/);
    expect(await clientsForAdmin(admin)).toContainEqual(
      expect.objectContaining({ client_id: created.client_id, client_name: APP.name, first_party: true, token_endpoint_auth_method: "client_secret_basic" }),
    );
    // The listing never carries a secret.
    expect(JSON.stringify(await clientsForAdmin(admin))).not.toContain(created.client_secret);

    expect(await removeClientAsAdmin(admin, created.client_id, client)).toBe(APP.name);
    expect((await clientsForAdmin(admin))!.map((c) => c.client_id)).not.toContain(created.client_id);
    expect(await failure(removeClientAsAdmin(admin, created.client_id, client))).toMatchObject(appError("NOT_FOUND"));

    const [added] = await auditOf("oauth_client_added");
    expect(added).toMatchObject({ userId: null, actorId: admin.user.id, ip: client.ip });
    expect(JSON.parse(added!.detail!)).toEqual({ actor_id: admin.user.id, client_id: created.client_id, client_name: APP.name, public: false, first_party: true });
    const [removed] = await auditOf("oauth_client_removed");
    expect(removed).toMatchObject({ userId: null, actorId: admin.user.id });
    expect(JSON.parse(removed!.detail!)).toEqual({ actor_id: admin.user.id, client_id: created.client_id, client_name: APP.name });
  });

  it("writes a client and its audit event in one commit: when the event cannot be written, no client is added or removed", async () => {
    const admin = await freshAdmin();
    const before = (await clientsForAdmin(admin))!.length;
    let allow = await refuseAuditEvents("oauth_client_added");
    try {
      expect(await failure(addClientAsAdmin(admin, APP, client))).toMatchObject({ message: expect.stringContaining("audit refused") });
    } finally {
      await allow();
    }
    expect((await clientsForAdmin(admin))!.length).toBe(before);

    const { client_id } = await addClientAsAdmin(admin, APP, client);
    allow = await refuseAuditEvents("oauth_client_removed");
    try {
      expect(await failure(removeClientAsAdmin(admin, client_id, client))).toMatchObject({ message: expect.stringContaining("audit refused") });
    } finally {
      await allow();
    }
    expect((await clientsForAdmin(admin))!.map((c) => c.client_id)).toContain(client_id);
  });

  it("a public client gets no secret", async () => {
    const admin = await freshAdmin();
    expect(await addClientAsAdmin(admin, { ...APP, public: true }, client)).toEqual({ client_id: expect.any(String) });
  });

  it("what the provider refuses comes back as CLIENT_REJECTED, and nothing is registered", async () => {
    const admin = await freshAdmin();
    const before = (await clientsForAdmin(admin))!.length;
    // A web (confidential) client may not use a custom scheme.
    const error = await failure(addClientAsAdmin(admin, { ...APP, redirectUris: ["com.example.app:/callback"] }, client));
    expect(error).toMatchObject(appError("CLIENT_REJECTED"));
    expect((await clientsForAdmin(admin))!.length).toBe(before);
  });

  it("needs a fresh proof to add or remove, not to list", async () => {
    const admin = await freshAdmin();
    const { client_id } = await addClientAsAdmin(admin, APP, client);
    // The same session, its proof now older than REAUTH_MAX_AGE_SECONDS (600).
    advance(11 * MINUTE);
    const stale = admin;
    expect(await failure(addClientAsAdmin(stale, APP, client))).toMatchObject(appError("REAUTHENTICATION_REQUIRED"));
    expect(await failure(removeClientAsAdmin(stale, client_id, client))).toMatchObject(appError("REAUTHENTICATION_REQUIRED"));
    await expect(clientsForAdmin(stale)).resolves.toContainEqual(expect.objectContaining({ client_id }));
  });

  it("is for admins only: anyone else, or an admin without two-factor, is FORBIDDEN", async () => {
    const logged = (await auditOf("oauth_client_added")).length;
    const { user } = await verifiedUser("plain");
    const { tokens } = await startAppSession(database, user, client, "password");
    const someone = await authenticate(tokens.accessToken);
    expect(await failure(clientsForAdmin(someone))).toMatchObject(appError("FORBIDDEN"));
    expect(await failure(addClientAsAdmin(someone, APP, client))).toMatchObject(appError("FORBIDDEN"));

    const promoted = await grantRole(user.email, "admin");
    const withoutTwoFactor = { ...someone, user: promoted };
    expect(await failure(addClientAsAdmin(withoutTwoFactor, APP, client))).toMatchObject(appError("FORBIDDEN"));
    expect(await auditOf("oauth_client_added")).toHaveLength(logged);
  });
});
