import { decode, encode } from "next-auth/jwt";
import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { cache } from "react";
import { createBrowserSession, endSession, resolveBrowserSession } from "@/lib/auth/browser-sessions";
import type { RequestMeta } from "@/lib/auth/types";
import { config } from "@/lib/config/env";
import type { UserRecord } from "@/lib/db/users";
import { clientInfo } from "@/lib/http/request-context";

/**
 * The browser session cookie. It is next-auth's own session token (an encrypted JWT keyed by
 * AUTH_SECRET), so a Google sign-in through next-auth and a password sign-in through a server
 * action produce the same cookie. It names a server-side session (`sid`) that is checked on every
 * request: revocation is immediate.
 */
export const SESSION_MAX_AGE_SECONDS = 30 * 24 * 60 * 60;

export const secureCookies = () => config().appUrl.startsWith("https://");
export const sessionCookieName = () => `${secureCookies() ? "__Secure-" : ""}next-auth.session-token`;

export interface SessionClaims {
  uid: number;
  sid: string;
  email: string;
}

export async function requestMeta(): Promise<RequestMeta> {
  return clientInfo(await headers());
}

async function writeCookie(user: UserRecord, sessionId: string): Promise<void> {
  const claims: Record<string, unknown> & SessionClaims = { sub: String(user.id), uid: user.id, sid: sessionId, email: user.email };
  const token = await encode({ token: claims, secret: config().authSecret, maxAge: SESSION_MAX_AGE_SECONDS });
  (await cookies()).set(sessionCookieName(), token, {
    httpOnly: true,
    secure: secureCookies(),
    sameSite: "lax",
    path: "/",
    maxAge: SESSION_MAX_AGE_SECONDS,
  });
}

/** Signs `user` in on this browser: a new server-side session and its cookie. */
export async function signInBrowser(user: UserRecord): Promise<void> {
  const sessionId = await createBrowserSession(user, await requestMeta());
  await writeCookie(user, sessionId);
}

/** Re-issues the cookie of the current session (after a password change voided older cookies). */
export async function renewBrowserCookie(user: UserRecord, sessionId: string): Promise<void> {
  await writeCookie(user, sessionId);
}

async function readClaims(): Promise<(SessionClaims & { iat: number }) | null> {
  const raw = (await cookies()).get(sessionCookieName())?.value;
  if (!raw) return null;
  try {
    const token = await decode({ token: raw, secret: config().authSecret });
    if (!token || typeof token.uid !== "number" || typeof token.sid !== "string" || typeof token.iat !== "number") return null;
    return token as unknown as SessionClaims & { iat: number };
  } catch {
    return null;
  }
}

export interface BrowserSession {
  user: UserRecord;
  sessionId: string;
}

/**
 * The signed-in user of this request, or null (no cookie, or its session has ended). Cached per
 * request: the layout and the page ask once between them.
 */
export const currentSession = cache(async (): Promise<BrowserSession | null> => {
  const claims = await readClaims();
  if (!claims) return null;
  const user = await resolveBrowserSession(claims.uid, claims.sid, new Date(claims.iat * 1000));
  return user ? { user, sessionId: claims.sid } : null;
});

/** For protected pages: the session, or a redirect to the login page that comes back here. */
export async function requireSession(returnTo: string): Promise<BrowserSession> {
  const session = await currentSession();
  if (!session) redirect(`/login?next=${encodeURIComponent(returnTo)}`);
  return session;
}

export async function signOutBrowser(): Promise<void> {
  const claims = await readClaims();
  if (claims) await endSession(claims.uid, claims.sid);
  (await cookies()).delete(sessionCookieName());
}

/** `next` must stay on this site: a path, never `//host` or a URL. */
export function safeNextPath(next: unknown, fallback = "/profile"): string {
  if (typeof next !== "string" || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return fallback;
  try {
    const url = new URL(next, "http://local.invalid");
    return url.origin === "http://local.invalid" ? `${url.pathname}${url.search}${url.hash}` : fallback;
  } catch {
    return fallback;
  }
}
