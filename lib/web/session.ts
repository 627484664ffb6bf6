import { decode, encode } from "next-auth/jwt";
import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { cache } from "react";
import type { SignInMethod, SignInProof } from "@/lib/auth/proof";
import { endSession, resumeBrowserSession } from "@/lib/auth/sessions";
import { completeSignIn, signIn, type SignInOutcome } from "@/lib/auth/sign-in";
import { MFA_TOKEN_LIFETIME_SECONDS, type SecondStepInput } from "@/lib/auth/two-factor";
import type { Caller, ClientInfo, User } from "@/lib/auth/types";
import { config } from "@/lib/config/env";
import { clientInfo } from "@/lib/http/client-address";
import { derivedKey } from "@/lib/tokens/secrets";

/**
 * The browser session cookie. It is next-auth's own session token (an encrypted JWT), so a Google
 * sign-in through next-auth and a password sign-in through a server action produce the same
 * cookie. It names a server-side session (`sid`) that is checked on every request: revocation is
 * immediate.
 */

export const secureCookies = () => config().appUrl.startsWith("https://");
export const sessionCookieName = () => `${secureCookies() ? "__Secure-" : ""}next-auth.session-token`;
/** The cookie's key, derived from AUTH_SECRET for this one job (next-auth derives its encryption key from it). */
export const cookieSecret = () => derivedKey("browser-session-cookie").toString("base64url");
/** The cookie lives as long as a session may; the server-side session decides sooner. */
export const cookieMaxAgeSeconds = () => config().sessionMaxAgeSeconds;

export interface SessionClaims {
  uid: number;
  sid: string;
  email: string;
}

export async function requestClient(): Promise<ClientInfo> {
  return clientInfo(await headers());
}

/** The claims next-auth's cookie carries for a session (also written by its Google sign-in). */
export const sessionClaims = (user: User, sessionId: string): SessionClaims & Record<string, unknown> => ({
  sub: String(user.id),
  uid: user.id,
  sid: sessionId,
  email: user.email,
});

/** The cookie of a browser session the sign-in decision started. */
async function writeSessionCookie(user: User, sessionId: string): Promise<void> {
  const token = await encode({ token: sessionClaims(user, sessionId), secret: cookieSecret(), maxAge: cookieMaxAgeSeconds() });
  (await cookies()).set(sessionCookieName(), token, {
    httpOnly: true,
    secure: secureCookies(),
    sameSite: "lax",
    path: "/",
    maxAge: cookieMaxAgeSeconds(),
  });
}

/** Where the second step of a browser sign-in waits: its token, for five minutes, readable by no script. */
const SECOND_STEP_COOKIE = "auth.second-step";
export const SECOND_STEP_PAGE = "/login/two-factor";

/**
 * What the sign-in decision (lib/auth/sign-in.ts) came to, on this browser: the session's cookie,
 * or the second step's token in a cookie of its own, for the caller to send the person to the code
 * page.
 */
export async function enterBrowser(outcome: SignInOutcome<"browser">): Promise<"signed-in" | "second-step"> {
  if (outcome.kind === "second-step") {
    await holdSecondStep(outcome.mfaToken);
    return "second-step";
  }
  await writeSessionCookie(outcome.user, outcome.sessionId);
  return "signed-in";
}

/**
 * After a first factor passed on this browser: signed in, or on the way to the second step. A
 * browser signed in as `user` already keeps its session, with this proof as its last.
 */
export async function signInBrowser(user: User, proof: SignInMethod | SignInProof): Promise<"signed-in" | "second-step"> {
  return enterBrowser(await signIn(user, await requestClient(), proof, "browser", await currentSession()));
}

export async function holdSecondStep(mfaToken: string): Promise<void> {
  (await cookies()).set(SECOND_STEP_COOKIE, mfaToken, {
    httpOnly: true,
    secure: secureCookies(),
    sameSite: "lax",
    path: "/",
    maxAge: MFA_TOKEN_LIFETIME_SECONDS,
  });
}

/** Forgets a second step that can no longer succeed (expired, or too many wrong codes). */
export async function dropSecondStep(): Promise<void> {
  (await cookies()).delete(SECOND_STEP_COOKIE);
}

/** Whether this browser is between the two steps of a sign-in. */
export async function hasSecondStep(): Promise<boolean> {
  return (await cookies()).has(SECOND_STEP_COOKIE);
}

/** The second step on this browser: the code for the token in the cookie; then the session's cookie. */
export async function completeBrowserSignIn(input: SecondStepInput): Promise<void> {
  const store = await cookies();
  const token = store.get(SECOND_STEP_COOKIE)?.value ?? "";
  const outcome = await completeSignIn(token, input, await requestClient(), "browser", await currentSession());
  store.delete(SECOND_STEP_COOKIE);
  await enterBrowser(outcome);
}

export async function readSessionCookie(value: string | undefined): Promise<SessionClaims | null> {
  if (!value) return null;
  try {
    const token = await decode({ token: value, secret: cookieSecret() });
    if (!token || typeof token.uid !== "number" || typeof token.sid !== "string") return null;
    return token as unknown as SessionClaims;
  } catch {
    return null;
  }
}

const readClaims = async () => readSessionCookie((await cookies()).get(sessionCookieName())?.value);

/**
 * The signed-in user of this request, or null (no cookie, or its session has ended). Cached per
 * request: the layout and the page ask once between them.
 */
export const currentSession = cache(async (): Promise<Caller | null> => {
  const claims = await readClaims();
  return claims ? resumeBrowserSession(claims.uid, claims.sid) : null;
});

/** For protected pages and actions: the session, or a redirect to the login page that comes back to `returnTo`. */
export async function requireSession(returnTo: string): Promise<Caller> {
  const session = await currentSession();
  if (!session) redirect(`/login?next=${encodeURIComponent(returnTo)}`);
  return session;
}

export async function signOutBrowser(): Promise<void> {
  const claims = await readClaims();
  if (claims) await endSession(claims.uid, claims.sid);
  (await cookies()).delete(sessionCookieName());
}

/** `next` must stay on this site: a path, never `//host` or a URL, before and after normalisation. */
export function safeNextPath(next: unknown, fallback = "/profile"): string {
  const isLocalPath = (p: string) => p.startsWith("/") && !p.startsWith("//") && !p.startsWith("/\\");
  if (typeof next !== "string" || !isLocalPath(next)) return fallback;
  try {
    const url = new URL(next, "http://local.invalid");
    const path = `${url.pathname}${url.search}${url.hash}`;
    // Normalising can make a path out of what was none ("/..//evil.example" → "//evil.example").
    return url.origin === "http://local.invalid" && isLocalPath(path) ? path : fallback;
  } catch {
    return fallback;
  }
}
