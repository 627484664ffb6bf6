import { describe, expect, it, vi } from "vitest";
import * as z from "zod/mini";
import { client, PASSWORD, setUpAuthTests, verifiedUser } from "@/lib/auth/testing";
import { AppError } from "@/lib/errors";
import { complaint } from "@/lib/validation/fields";

setUpAuthTests();

// The request as next/headers would give it: this file's cookie jar and a browser's headers.
const request = vi.hoisted(() => ({ cookies: new Map<string, string>() }));
vi.mock("next/headers", () => ({
  cookies: async () => ({
    get: (name: string) => (request.cookies.has(name) ? { name, value: request.cookies.get(name) } : undefined),
    has: (name: string) => request.cookies.has(name),
    set: (name: string, value: string) => void request.cookies.set(name, value),
    delete: (name: string) => void request.cookies.delete(name),
  }),
  headers: async () => new Headers({ "user-agent": "vitest" }),
}));

// A database that stops answering, for one session check.
const outage = vi.hoisted(() => ({ next: false }));
vi.mock("@/lib/auth/sessions", async (original) => {
  const sessions = await original<typeof import("@/lib/auth/sessions")>();
  return {
    ...sessions,
    resumeBrowserSession: (...args: Parameters<typeof sessions.resumeBrowserSession>) => {
      if (!outage.next) return sessions.resumeBrowserSession(...args);
      outage.next = false;
      return Promise.reject(new Error("Connection terminated unexpectedly"));
    },
  };
});

const { database } = await import("@/lib/db");
const { encode } = await import("next-auth/jwt");
const { endSession, startBrowserSession } = await import("@/lib/auth/sessions");
const { signedInAction, signedInButtonAction, validatedAction } = await import("./actions");
const { cookieMaxAgeSeconds, cookieSecret, sessionClaims, sessionCookieName } = await import("./session");

const form = (entries: Record<string, string> = {}) => {
  const data = new FormData();
  for (const [k, v] of Object.entries(entries)) data.set(k, v);
  return data;
};
const IDLE = { status: "idle" } as const;

/** Signs this file's browser in: a session and its cookie in the jar. */
async function signIn() {
  request.cookies.clear();
  const { user } = await verifiedUser("actions");
  const sessionId = await startBrowserSession(database, user, client, "password");
  request.cookies.set(sessionCookieName(), await encode({ token: sessionClaims(user, sessionId), secret: cookieSecret(), maxAge: cookieMaxAgeSeconds() }));
  return { user, sessionId };
}

/** Where a redirect (thrown by next/navigation's redirect) goes. */
async function redirectOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e as { digest?: string },
  );
  expect(error?.digest, "expected a redirect").toMatch(/^NEXT_REDIRECT;/);
  return error!.digest!.split(";")[2]!;
}

const NameForm = z.object({ name: z.string().check(z.refine((name) => name !== "", complaint("BLANK"))), password: z.string() });
const FILL_IN = "Fill in this field.";

describe("validatedAction", () => {
  it("answers field errors for an invalid form, echoing what was typed but never a password", async () => {
    const action = validatedAction(NameForm, async () => ({ status: "success" }));
    expect(await action(IDLE, form({ name: "", password: "secret" }))).toEqual({
      status: "error",
      fieldErrors: { name: [FILL_IN] },
      values: { name: "" },
    });
  });

  it("runs fn with the parsed input; no answer is success", async () => {
    const fn = vi.fn(async () => {});
    expect(await validatedAction(NameForm, fn)(IDLE, form({ name: "Ada", password: "p" }))).toEqual({ status: "success" });
    expect(fn).toHaveBeenCalledWith({ name: "Ada", password: "p" }, expect.any(FormData));
  });

  it("builds a schema given as a function on each call", async () => {
    let minLength = 2;
    const action = validatedAction(() => z.object({ name: z.string().check(z.refine((name) => name.length >= minLength, complaint("PASSWORD_TOO_SHORT", { min: minLength }))) }), async () => {});
    expect((await action(IDLE, form({ name: "abc" }))).status).toBe("success");
    minLength = 4;
    expect(await action(IDLE, form({ name: "abc" }))).toMatchObject({ fieldErrors: { name: ["Use at least 4 characters. A few words together make a strong password that's easy to remember."] } });
  });

  it("turns service errors into form state, REAUTHENTICATION_REQUIRED into the Confirm it's you step", async () => {
    const action = validatedAction(NameForm, async () => {
      throw new AppError("REAUTHENTICATION_REQUIRED");
    });
    expect(await action(IDLE, form({ name: "Ada", password: "p" }))).toMatchObject({ status: "error", reauthenticate: true, values: { name: "Ada" } });
  });

  it("lets a redirect through, and hides an unexpected error behind a general message", async () => {
    const { redirect } = await import("next/navigation");
    expect(await redirectOf(validatedAction(NameForm, async () => redirect("/elsewhere"))(IDLE, form({ name: "Ada", password: "p" })))).toBe("/elsewhere");
    const failing = validatedAction(NameForm, async () => {
      throw new Error("boom");
    });
    expect(await failing(IDLE, form({ name: "Ada", password: "p" }))).toEqual({
      status: "error",
      message: "Something went wrong on our side. Please try again.",
      values: { name: "Ada" },
    });
  });

  it("refuses arguments that are not a form", async () => {
    const action = validatedAction(NameForm, async () => {});
    expect(await action(IDLE, "name=Ada" as unknown as FormData)).toMatchObject({ status: "error" });
  });
});

describe("signedInAction", () => {
  it("gives fn this browser's session and the request's client", async () => {
    const { user, sessionId } = await signIn();
    const fn = vi.fn(async () => {});
    expect(await signedInAction(NameForm, fn)(IDLE, form({ name: "Ada", password: PASSWORD }))).toEqual({ status: "success" });
    expect(fn).toHaveBeenCalledWith(
      { name: "Ada", password: PASSWORD },
      { session: expect.objectContaining({ sessionId, user: expect.objectContaining({ id: user.id }) }), client: { ip: null, userAgent: "vitest", acceptLanguage: null } },
    );
  });

  it("sends a browser without a session, or whose session ended, to sign in and back to the profile", async () => {
    const fn = vi.fn(async () => {});
    const action = signedInAction(NameForm, fn);
    request.cookies.clear();
    expect(await redirectOf(action(IDLE, form({ name: "Ada", password: "p" })))).toBe("/login?next=%2Fprofile");
    const { user, sessionId } = await signIn();
    await endSession(user.id, sessionId);
    expect(await redirectOf(action(IDLE, form({ name: "Ada", password: "p" })))).toBe("/login?next=%2Fprofile");
    expect(fn).not.toHaveBeenCalled();
  });

  it("reads the form first: an invalid form answers its errors, signed in or not", async () => {
    request.cookies.clear();
    expect(await signedInAction(NameForm, async () => {})(IDLE, form({ name: "", password: "p" }))).toMatchObject({ fieldErrors: { name: [FILL_IN] } });
  });

  it("answers a database outage while finding the session as form state, and service errors as validatedAction does", async () => {
    await signIn();
    outage.next = true;
    const fn = vi.fn(async () => {
      throw new AppError("REAUTHENTICATION_REQUIRED");
    });
    const action = signedInAction(NameForm, fn);
    expect(await action(IDLE, form({ name: "Ada", password: "p" }))).toMatchObject({ status: "error", retryAfterSeconds: 5, values: { name: "Ada" } });
    expect(fn).not.toHaveBeenCalled();
    expect(await action(IDLE, form({ name: "Ada", password: "p" }))).toMatchObject({ status: "error", reauthenticate: true });
  });
});

describe("signedInButtonAction", () => {
  it("runs fn with the session, and sends a browser without one to sign in", async () => {
    const { sessionId } = await signIn();
    const fn = vi.fn(async () => {});
    await signedInButtonAction(fn)();
    expect(fn).toHaveBeenCalledWith(expect.objectContaining({ session: expect.objectContaining({ sessionId }) }));
    request.cookies.clear();
    expect(await redirectOf(signedInButtonAction(fn)())).toBe("/login?next=%2Fprofile");
    expect(fn).toHaveBeenCalledTimes(1);
  });
});
