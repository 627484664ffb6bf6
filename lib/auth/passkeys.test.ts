import { describe, expect, it } from "vitest";
import {
  MINUTE,
  SoftPasskey,
  advance,
  appError,
  appSession,
  client,
  failure,
  freshClient,
  mailsTo,
  registeredPasskey,
  setUpAuthTests,
  totpCode,
  twoFactorUser,
  verifiedUser,
} from "./testing";

const db = setUpAuthTests();

const { addPasskey, passkeyLoginOptions, passkeyRegistrationOptions, passkeysOf, removePasskey, signInWithPasskey, verifyPasskeySignIn } =
  await import("./passkeys");
const { completeSignIn } = await import("./sign-in");
const { authenticate } = await import("./sessions");

/** A verified account and the caller of a session of it. */
async function signedIn() {
  const { email, user } = await verifiedUser("passkey");
  const { caller } = await appSession(user);
  return { email, user, caller };
}

const storedPasskey = (id: string) => db().passkey.findUnique({ where: { id } });
const lastLogin = async (userId: number) =>
  JSON.parse((await db().auditEvent.findFirstOrThrow({ where: { userId, type: "login" }, orderBy: { id: "desc" } })).detail!);

describe("passkeyRegistrationOptions", () => {
  it("name this service as the relying party and the caller as the user, and remember the challenge for them", async () => {
    const { email, user, caller } = await signedIn();
    const options = await passkeyRegistrationOptions(caller);
    expect(options).toMatchObject({
      rp: { id: "localhost", name: "Auth" },
      user: { name: email },
      attestation: "none",
      authenticatorSelection: { residentKey: "preferred", userVerification: "preferred" },
      excludeCredentials: [],
    });
    // The user handle is random, not the id or the address.
    expect(Buffer.from(options.user.id, "base64url")).toHaveLength(32);
    expect(await db().webAuthnChallenge.findUnique({ where: { challenge: options.challenge } })).toMatchObject({ purpose: "register", userId: user.id });
  });

  it("exclude the caller's existing passkeys", async () => {
    const { caller } = await signedIn();
    const { passkey } = await registeredPasskey(caller);
    const options = await passkeyRegistrationOptions(caller);
    expect(options.excludeCredentials).toEqual([expect.objectContaining({ id: passkey.id, type: "public-key" })]);
    // The same handle each time.
    expect(options.user.id).toBe((await passkeyRegistrationOptions(caller)).user.id);
  });
});

describe("addPasskey", () => {
  it("stores the passkey under a default name and sends a notice", async () => {
    const { email, user, caller } = await signedIn();
    const passkey = new SoftPasskey();
    const added = await addPasskey(caller, passkey.register(await passkeyRegistrationOptions(caller)), undefined, client);
    expect(added).toEqual({ id: passkey.id, name: "Passkey", createdAt: expect.any(Date), lastUsedAt: null, backedUp: false });
    expect(await storedPasskey(passkey.id)).toMatchObject({ userId: user.id, counter: 0, transports: "internal", deviceType: "singleDevice" });
    const notices = await mailsTo(email, "notice");
    expect(notices.map((m) => m.subject)).toEqual(["A passkey was added to your Auth account"]);
    expect(notices[0]!.text).toContain("named “Passkey”");
  });

  it("names a synced passkey so by default, and trims a given name to 60 characters", async () => {
    const { caller } = await signedIn();
    const synced = await registeredPasskey(caller, undefined, new SoftPasskey(0, { synced: true }));
    expect(synced.stored).toMatchObject({ name: "Synced passkey", backedUp: true });
    expect((await registeredPasskey(caller, "  Work laptop  ")).stored.name).toBe("Work laptop");
    expect((await registeredPasskey(caller, "x".repeat(80))).stored.name).toBe("x".repeat(60));
    expect((await registeredPasskey(caller, "   ")).stored.name).toBe("Passkey");
  });

  it("refuses a second response to the same challenge", async () => {
    const { caller } = await signedIn();
    const options = await passkeyRegistrationOptions(caller);
    await addPasskey(caller, new SoftPasskey().register(options), undefined, client);
    const other = new SoftPasskey();
    await expect(addPasskey(caller, other.register(options), undefined, client)).rejects.toMatchObject(appError("PASSKEY_INVALID", "response"));
    expect(await storedPasskey(other.id)).toBeNull();
  });

  it.each([
    ["another origin", { origin: "https://evil.example" }],
    ["another relying party", { rpId: "evil.example" }],
    ["a challenge it was not given", { challenge: Buffer.from("not our challenge").toString("base64url") }],
  ])("refuses a response with %s: PASSKEY_INVALID on response", async (_what, ceremony) => {
    const { caller } = await signedIn();
    const passkey = new SoftPasskey();
    const error = await failure(addPasskey(caller, passkey.register(await passkeyRegistrationOptions(caller), ceremony), undefined, client));
    expect(error).toMatchObject(appError("PASSKEY_INVALID", "response"));
    expect(error.message).toBe("The passkey could not be verified. Please try again.");
    expect(await storedPasskey(passkey.id)).toBeNull();
  });

  it("refuses another user's challenge, a sign-in challenge and one older than 5 minutes", async () => {
    const { caller } = await signedIn();
    const someoneElse = await signedIn();
    const theirs = await passkeyRegistrationOptions(someoneElse.caller);
    await expect(addPasskey(caller, new SoftPasskey().register(theirs), undefined, client)).rejects.toMatchObject(appError("PASSKEY_INVALID", "response"));

    const login = await passkeyLoginOptions(freshClient());
    const mine = await passkeyRegistrationOptions(caller);
    await expect(addPasskey(caller, new SoftPasskey().register(mine, { challenge: login.challenge }), undefined, client)).rejects.toMatchObject(
      appError("PASSKEY_INVALID", "response"),
    );

    const expiring = await passkeyRegistrationOptions(caller);
    advance(5 * MINUTE + 1000);
    await expect(addPasskey(caller, new SoftPasskey().register(expiring), undefined, client)).rejects.toMatchObject(appError("PASSKEY_INVALID", "response"));
    expect(await passkeysOf(caller)).toEqual([]);
  });

  it("refuses a passkey registered already with PASSKEY_EXISTS on response", async () => {
    const { caller } = await signedIn();
    const { passkey } = await registeredPasskey(caller);
    await expect(addPasskey(caller, passkey.register(await passkeyRegistrationOptions(caller)), undefined, client)).rejects.toMatchObject(
      appError("PASSKEY_EXISTS", "response"),
    );
  });

  it("refuses something that is no WebAuthn response", async () => {
    const { caller } = await signedIn();
    await passkeyRegistrationOptions(caller);
    for (const junk of [null, {}, { id: "x", rawId: "x", type: "public-key", response: {} }]) {
      await expect(addPasskey(caller, junk, undefined, client)).rejects.toMatchObject(appError("PASSKEY_INVALID", "response"));
    }
  });
});

describe("passkeysOf and removePasskey", () => {
  it("list the caller's passkeys only; removing one ends its sign-ins", async () => {
    const { caller } = await signedIn();
    const first = await registeredPasskey(caller, "first");
    advance(1000);
    const second = await registeredPasskey(caller, "second");
    const someoneElse = await signedIn();
    await registeredPasskey(someoneElse.caller, "theirs");

    expect((await passkeysOf(caller)).map((p) => p.name)).toEqual(["first", "second"]);
    await removePasskey(caller, first.passkey.id, client);
    expect((await passkeysOf(caller)).map((p) => p.id)).toEqual([second.passkey.id]);
    await expect(signInWithPasskey(first.passkey.signIn(await passkeyLoginOptions(client)), client)).rejects.toMatchObject(
      appError("PASSKEY_INVALID", "response"),
    );
    await expect(removePasskey(caller, first.passkey.id, client)).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("answer NOT_FOUND for another user's passkey, which stays", async () => {
    const { caller } = await signedIn();
    const someoneElse = await signedIn();
    const { passkey } = await registeredPasskey(someoneElse.caller);
    await expect(removePasskey(caller, passkey.id, client)).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await passkeysOf(someoneElse.caller)).toHaveLength(1);
  });
});

describe("signing in with a passkey", () => {
  it("with user verification gives a working session and records the use", async () => {
    const { user, caller } = await signedIn();
    const { passkey } = await registeredPasskey(caller);
    const options = await passkeyLoginOptions(client);
    expect(options).toMatchObject({ rpId: "localhost", userVerification: "preferred" });

    const signIn = await signInWithPasskey(passkey.signIn(options), client);
    if (signIn.kind !== "session") throw new Error("expected a session");
    expect(await authenticate(signIn.tokens.accessToken)).toEqual({
      user: expect.objectContaining({ id: user.id }),
      sessionId: signIn.sessionId,
      proof: { methods: ["passkey", "user-verification"], provedAt: new Date() },
    });
    expect(await storedPasskey(passkey.id)).toMatchObject({ counter: 1, lastUsedAt: expect.any(Date) });
    expect(await lastLogin(user.id)).toMatchObject({ method: "passkey", second_factor: "user-verification" });
  });

  it("with user verification is both factors for a two-factor account: a session, no second step", async () => {
    const { user, caller } = await twoFactorUser();
    const { passkey } = await registeredPasskey(caller);
    const signIn = await signInWithPasskey(passkey.signIn(await passkeyLoginOptions(client)), client);
    expect(signIn).toMatchObject({ kind: "session", user: { id: user.id } });
    expect(await lastLogin(user.id)).toMatchObject({ method: "passkey", second_factor: "user-verification" });
  });

  it("without user verification is one factor: a session for a one-factor account, the second step for a two-factor one", async () => {
    const plain = await signedIn();
    const plainKey = (await registeredPasskey(plain.caller)).passkey;
    const unverified = await verifyPasskeySignIn(plainKey.signIn(await passkeyLoginOptions(client), { userVerified: false }), client);
    expect(unverified).toEqual({ user: expect.objectContaining({ id: plain.user.id }), proof: { method: "passkey" } });
    expect(await signInWithPasskey(plainKey.signIn(await passkeyLoginOptions(client), { userVerified: false }), client)).toMatchObject({
      kind: "session",
    });
    expect(await lastLogin(plain.user.id)).toMatchObject({ method: "passkey", second_factor: null });

    const { user, caller, secret } = await twoFactorUser();
    const { passkey } = await registeredPasskey(caller);
    const signIn = await signInWithPasskey(passkey.signIn(await passkeyLoginOptions(client), { userVerified: false }), client);
    if (signIn.kind !== "second-step") throw new Error(`expected a second step, got ${signIn.kind}`);
    await completeSignIn(signIn.mfaToken, { code: await totpCode(secret) }, client, "api");
    expect(await lastLogin(user.id)).toMatchObject({ method: "passkey", second_factor: "totp" });
  });

  it("refuses a counter that did not grow (a cloned authenticator)", async () => {
    const { caller } = await signedIn();
    const { passkey } = await registeredPasskey(caller);
    const clone = passkey.clone();
    await signInWithPasskey(passkey.signIn(await passkeyLoginOptions(client)), client);
    await expect(signInWithPasskey(clone.signIn(await passkeyLoginOptions(client)), client)).rejects.toMatchObject(appError("PASSKEY_INVALID", "response"));
    expect((await storedPasskey(passkey.id))!.counter).toBe(1);
    // The original goes on.
    await expect(signInWithPasskey(passkey.signIn(await passkeyLoginOptions(client)), client)).resolves.toMatchObject({ kind: "session" });
  });

  it("lets one of a clone and its original in when they race with the same counter", async () => {
    const { caller } = await signedIn();
    const { passkey } = await registeredPasskey(caller);
    const clone = passkey.clone();
    const [a, b] = [await passkeyLoginOptions(client), await passkeyLoginOptions(client)];
    const settled = await Promise.allSettled([signInWithPasskey(passkey.signIn(a), freshClient()), signInWithPasskey(clone.signIn(b), freshClient())]);
    expect(settled.map((s) => s.status).sort()).toEqual(["fulfilled", "rejected"]);
    expect((await storedPasskey(passkey.id))!.counter).toBe(1);
  });

  it("accepts an authenticator that does not count (always 0) every time", async () => {
    const { caller } = await signedIn();
    const { passkey } = await registeredPasskey(caller, undefined, new SoftPasskey(0, { counting: false }));
    for (let i = 0; i < 2; i++) {
      await expect(signInWithPasskey(passkey.signIn(await passkeyLoginOptions(client)), client)).resolves.toMatchObject({ kind: "session" });
    }
  });

  it("uses a challenge once", async () => {
    const { caller } = await signedIn();
    const { passkey } = await registeredPasskey(caller);
    const options = await passkeyLoginOptions(client);
    await signInWithPasskey(passkey.signIn(options), client);
    await expect(signInWithPasskey(passkey.signIn(options), client)).rejects.toMatchObject(appError("PASSKEY_INVALID", "response"));
  });

  it("lets one of concurrent answers to one challenge through", async () => {
    const { caller } = await signedIn();
    const { passkey } = await registeredPasskey(caller);
    const options = await passkeyLoginOptions(client);
    const answers = [passkey.signIn(options), passkey.signIn(options), passkey.signIn(options)];
    const settled = await Promise.allSettled(answers.map((a) => signInWithPasskey(a, freshClient())));
    expect(settled.filter((s) => s.status === "fulfilled")).toHaveLength(1);
  });

  it("refuses a challenge older than 5 minutes, a registration challenge, another origin, another key's signature and an unknown passkey", async () => {
    const { caller } = await signedIn();
    const { passkey } = await registeredPasskey(caller);
    const refused = async (response: unknown) =>
      expect(signInWithPasskey(response, freshClient())).rejects.toMatchObject(appError("PASSKEY_INVALID", "response"));

    const expiring = await passkeyLoginOptions(client);
    advance(5 * MINUTE + 1000);
    await refused(passkey.signIn(expiring));
    await refused(passkey.signIn(await passkeyRegistrationOptions(caller)));
    await refused(passkey.signIn(await passkeyLoginOptions(client), { origin: "https://evil.example" }));
    await refused(passkey.signIn(await passkeyLoginOptions(client), { rpId: "evil.example" }));

    const forged = new SoftPasskey().signIn(await passkeyLoginOptions(client));
    await refused({ ...forged, id: passkey.id, rawId: passkey.id });
    await refused(new SoftPasskey().signIn(await passkeyLoginOptions(client)));
    await refused({});
    // None of it moved the counter.
    expect((await storedPasskey(passkey.id))!.counter).toBe(0);
  });

  it("of a disabled account is ACCOUNT_DISABLED", async () => {
    const { email, caller } = await signedIn();
    const { passkey } = await registeredPasskey(caller);
    await db().user.update({ where: { email }, data: { disabledAt: new Date() } });
    await expect(signInWithPasskey(passkey.signIn(await passkeyLoginOptions(client)), client)).rejects.toMatchObject({ code: "ACCOUNT_DISABLED" });
  });
});
