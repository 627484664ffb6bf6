import { describe, expect, it } from "vitest";
import type { AppError } from "@/lib/errors";
import {
  PASSWORD,
  appError,
  client,
  codeIn,
  confirmTokenIn,
  failure,
  freshClient,
  mailsTo,
  outcomes,
  retryAfter,
  setUpAuthTests,
  uniqueEmail,
} from "./testing";

const db = setUpAuthTests();

const { createAccount, createSignedInAccount } = await import("./signup");
const { confirmLink } = await import("./email-verification");
const { authenticate } = await import("./sessions");
const { commitsOf } = await import("@/lib/db/sqlite-statements");
const { recordStatements } = await import("@/lib/db/testing");

describe("createAccount", () => {
  it("creates an unverified account with the default role and queues one mail carrying a code and a link", async () => {
    const email = uniqueEmail();
    const { user, code } = await createAccount({ email, password: PASSWORD, name: "Ada", dob: "1990-01-12", mobile: "76765757" }, client);

    expect(user).toMatchObject({ email, name: "Ada", dob: "1990-01-12", mobile: "76765757", verifiedAt: null, roleId: 2, roleName: "user" });
    expect(user.passwordHash).toMatch(/^\$argon2id\$/);
    const mails = await mailsTo(email);
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({ kind: "verification", status: "pending" });
    expect(codeIn(mails[0]!)).toBe(code);
    expect(code).toMatch(/^\d{4}$/);
    // The link verifies the same account.
    expect((await confirmLink(confirmTokenIn(mails[0]!), client)).id).toBe(user.id);
  });

  it("refuses an address that has an account with EMAIL_TAKEN on email, and sends nothing more", async () => {
    const email = uniqueEmail();
    await createAccount({ email, password: PASSWORD }, freshClient());
    const error = await failure(createAccount({ email, password: "another long passphrase" }, freshClient()));
    expect(error).toMatchObject(appError("EMAIL_TAKEN", "email"));
    expect(error.message).toBe(`${email} is already register with us`);
    expect(await mailsTo(email)).toHaveLength(1);
    expect(await db().user.count({ where: { email } })).toBe(1);
  });

  it("lets exactly one of concurrent sign-ups of one address through", async () => {
    const email = uniqueEmail();
    const result = await outcomes(Array.from({ length: 5 }, () => createAccount({ email, password: PASSWORD }, freshClient())));
    expect(result).toEqual({ fulfilled: 1, codes: Array(4).fill("EMAIL_TAKEN") });
    expect(await db().user.count({ where: { email } })).toBe(1);
    expect(await mailsTo(email)).toHaveLength(1);
  });
});

describe("createSignedInAccount (the legacy register)", () => {
  it("commits the address's count, the account, its code, its mail and its first session together: one commit in all", async () => {
    const email = uniqueEmail();
    const recorder = recordStatements();
    let result: Awaited<ReturnType<typeof createSignedInAccount>>;
    try {
      result = await createSignedInAccount({ email, password: PASSWORD }, freshClient());
    } finally {
      recorder.stop();
    }
    expect(commitsOf(recorder.statements)).toBe(1);
    expect((await authenticate(result.session.tokens.accessToken)).user).toMatchObject({ id: result.user.id, email, verifiedAt: null });
    expect(await mailsTo(email)).toHaveLength(1);
    // The account is written once, with its first sign-in's time: a second version of the row
    // would cost every one of User's indexes again (on PostgreSQL, its two trigram indexes too).
    expect(recorder.statements.filter((s) => /^\s*UPDATE "User"/i.test(s))).toEqual([]);
    expect((await db().user.findUniqueOrThrow({ where: { id: result.user.id } })).lastLoginAt).toEqual(result.user.createdAt);
  });

  it("leaves nothing behind when the address is taken", async () => {
    const email = uniqueEmail();
    await createAccount({ email, password: PASSWORD }, client);
    const sessionsBefore = await db().session.count();
    expect(await failure(createSignedInAccount({ email, password: PASSWORD }, freshClient()))).toMatchObject({ code: "EMAIL_TAKEN" });
    expect(await db().session.count()).toBe(sessionsBefore);
  });
});

describe("createAccount: roles", () => {
  it("gives a self-assignable role that is asked for", async () => {
    const { user } = await createAccount({ email: uniqueEmail(), password: PASSWORD, roleId: 3 }, freshClient());
    expect(user).toMatchObject({ roleId: 3, roleName: "employer" });
  });

  it("refuses admin and unknown roles with INVALID_CHOICE on roleId, creating nothing", async () => {
    for (const roleId of [1, 99]) {
      const email = uniqueEmail();
      const error = await failure(createAccount({ email, password: PASSWORD, roleId }, freshClient()));
      expect(error).toMatchObject(appError("INVALID_CHOICE", "roleId"));
      expect(error.message).toBe(`"${roleId}" is not a valid choice.`);
      expect(await db().user.count({ where: { email } })).toBe(0);
    }
  });
});

describe("createAccount: password policy", () => {
  const refusal = async (password: string) => {
    const email = uniqueEmail();
    const error = await failure(createAccount({ email, password }, freshClient()));
    expect(await db().user.count({ where: { email } })).toBe(0);
    return error;
  };
  const TOO_SHORT = "This password is too short. It must contain at least 8 characters.";

  it("counts the length in code points of the NFKC form", async () => {
    // Seven emoji are fourteen UTF-16 units but seven characters.
    expect(await refusal("😀".repeat(7))).toMatchObject({ code: "VALIDATION", issues: [{ field: "password", message: TOO_SHORT }] });
    // "e" + combining acute is two code points typed, one (é) after NFKC.
    expect(await refusal("e\u0301".repeat(7))).toMatchObject({ code: "VALIDATION", issues: [{ field: "password", message: TOO_SHORT }] });
    await expect(createAccount({ email: uniqueEmail(), password: "😀".repeat(8) }, freshClient())).resolves.toBeDefined();
  });

  it("refuses common passwords, also when typed in another Unicode form", async () => {
    const common = { code: "VALIDATION", issues: [{ field: "password", message: "This password is too common." }] };
    expect(await refusal("password1")).toMatchObject(common);
    // Full-width letters are "PASSWORD" after NFKC.
    expect(await refusal("ＰＡＳＳＷＯＲＤ")).toMatchObject(common);
  });
});

describe("createAccount: limits", () => {
  it("allows 30 sign-ups per client address in 5 minutes, then RATE_LIMITED with the seconds to wait", async () => {
    const from = freshClient();
    // Refused roles cost no hashing, and count like any request.
    for (let i = 0; i < 30; i++) {
      expect(await failure(createAccount({ email: uniqueEmail(), password: PASSWORD, roleId: 1 }, from))).toMatchObject({ code: "INVALID_CHOICE" });
    }
    const email = uniqueEmail();
    const wait = await retryAfter(createAccount({ email, password: PASSWORD }, from));
    expect(wait).toBe(300);
    expect(await db().user.count({ where: { email } })).toBe(0);
    // Another address is not affected.
    await expect(createAccount({ email, password: PASSWORD }, freshClient())).resolves.toBeDefined();
  });

  it("counts sign-ups that succeed (in the account's commit) and addresses found taken alike", async () => {
    const from = freshClient();
    const taken = uniqueEmail();
    await createAccount({ email: taken, password: PASSWORD }, from);
    for (let i = 0; i < 14; i++) await createAccount({ email: uniqueEmail(), password: PASSWORD }, from);
    for (let i = 0; i < 15; i++) expect(await failure(createAccount({ email: taken, password: PASSWORD }, from))).toMatchObject({ code: "EMAIL_TAKEN" });
    expect(await retryAfter(createAccount({ email: uniqueEmail(), password: PASSWORD }, from))).toBe(300);
  });

  it("holds concurrent sign-ups from one address to the limit", async () => {
    const from = freshClient();
    for (let i = 0; i < 27; i++) expect(await failure(createAccount({ email: uniqueEmail(), password: PASSWORD, roleId: 1 }, from))).toMatchObject({ code: "INVALID_CHOICE" });
    const emails = Array.from({ length: 6 }, uniqueEmail);
    const outcomes = await Promise.all(emails.map((email) => createAccount({ email, password: PASSWORD }, from).then(() => "created", (e: AppError) => e.code)));
    expect(outcomes.filter((o) => o === "created")).toHaveLength(3);
    expect(outcomes.filter((o) => o === "RATE_LIMITED")).toHaveLength(3);
    expect(await db().user.count({ where: { email: { in: emails } } })).toBe(3);
  });
});
