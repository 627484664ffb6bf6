import type { NextAuthOptions, User } from "next-auth";
import GoogleProvider from "next-auth/providers/google";
import { cookies } from "next/headers";
import { NextResponse, type NextRequest } from "next/server";
import { accountForGoogleIdentity } from "@/lib/auth/google";
import { endSession, resumeBrowserSession } from "@/lib/auth/sessions";
import { signIn } from "@/lib/auth/sign-in";
import type { User as Account, Caller } from "@/lib/auth/types";
import { config } from "@/lib/config/env";
import { isAppError } from "@/lib/errors";
import { log } from "@/lib/log";
import { googleEnabled } from "./pages";
import {
  cookieMaxAgeSeconds,
  cookieSecret,
  currentSession,
  holdSecondStep,
  requestClient,
  safeNextPath,
  SECOND_STEP_PAGE,
  secureCookies,
  sessionClaims,
} from "./session";

/**
 * next-auth runs the "Continue with Google" OAuth dance (state, PKCE, code exchange, id_token
 * checks against the issuer's keys). The account rules are ours: the same
 * `accountForGoogleIdentity` as the id_token API, and the same server-side browser session as a
 * password sign-in — the cookie next-auth writes has the `uid`/`sid` claims lib/web/session.ts reads.
 */

declare module "next-auth" {
  /** What next-auth's session endpoint tells the browser: who is signed in, nothing about the session. */
  interface Session {
    user: { id: number; email: string; name: string };
  }
}

// Sessions started in the signIn callback, whose claims the jwt callback of the same request writes.
const started = new WeakMap<User, { account: Account; sessionId: string }>();

/** The cookie names a session that has ended (signed out elsewhere, a new password, a disabled account). */
class SessionEnded extends Error {}
/** The session could not be checked; the route answers with the cause (and logs it). */
class SessionCheckFailed extends Error {}

/**
 * One request's session check. `failure` is set when the check itself failed (the database did
 * not answer): that is not a session that ended, so the route answers with the error instead of
 * next-auth's "signed out", which would also delete the cookie.
 */
export interface SessionCheck {
  failure?: unknown;
}

/**
 * Where the Google sign-in was to land (next-auth keeps its callbackUrl in a cookie of its own): the
 * second step goes on there, so an app's sign-in comes back to its interaction (ADR 015).
 */
async function googleReturnPath(): Promise<string> {
  const value = (await cookies()).get(`${secureCookies() ? "__Secure-" : ""}next-auth.callback-url`)?.value;
  if (!value) return safeNextPath(undefined);
  try {
    const url = new URL(value, config().appUrl);
    return url.origin === new URL(config().appUrl).origin ? safeNextPath(`${url.pathname}${url.search}`) : safeNextPath(undefined);
  } catch {
    return safeNextPath(undefined);
  }
}

export function authOptions(check: SessionCheck = {}): NextAuthOptions {
  const { google } = config();
  return {
    secret: cookieSecret(),
    useSecureCookies: secureCookies(),
    session: { strategy: "jwt", maxAge: cookieMaxAgeSeconds() },
    pages: { signIn: "/login", error: "/login" },
    providers: googleEnabled()
      ? [
          GoogleProvider({
            clientId: google.clientIds[0]!,
            clientSecret: google.clientSecret!,
            // GOOGLE_ISSUER lets tests and staging use another OpenID issuer.
            wellKnown: `${google.issuer}/.well-known/openid-configuration`,
            authorization: { params: { scope: "openid email profile", prompt: "select_account" } },
            checks: ["pkce", "state"],
          }),
        ]
      : [],
    callbacks: {
      async signIn({ user, account, profile }) {
        if (account?.provider !== "google" || !profile?.sub || !profile.email) return "/login?error=OAuthCallback";
        const emailVerified = (profile as { email_verified?: unknown }).email_verified;
        if (emailVerified !== true && emailVerified !== "true") return "/login?error=GoogleEmailUnverified";
        try {
          const record = await accountForGoogleIdentity(
            { issuer: google.issuer, subject: profile.sub, email: profile.email.toLowerCase(), emailVerified: true, name: profile.name ?? undefined },
            await requestClient(),
            { createIfMissing: true },
          );
          // The one sign-in decision: with two-factor on, Google was the first factor and the code page asks for the second.
          const outcome = await signIn(record, await requestClient(), "google", "browser", await currentSession());
          if (outcome.kind === "second-step") {
            await holdSecondStep(outcome.mfaToken);
            return `${SECOND_STEP_PAGE}?next=${encodeURIComponent(await googleReturnPath())}`;
          }
          started.set(user, { account: record, sessionId: outcome.sessionId });
          return true;
        } catch (error) {
          if (isAppError(error) && error.code === "ACCOUNT_DISABLED") return "/login?error=AccountDisabled";
          if (isAppError(error) && error.code === "EMAIL_TAKEN") return "/login?error=GoogleAccountConflict";
          log.error("google browser sign-in failed", { error });
          return "/login?error=Callback";
        }
      },
      async jwt({ token, user }) {
        const session = user ? started.get(user) : undefined;
        return session ? sessionClaims(session.account, session.sessionId) : token;
      },
      // GET /api/auth/session: next-auth only decodes the cookie; the server-side session decides,
      // as it does for pages (lib/web/session.ts). next-auth v4 answers a throw here with `{}` and
      // deletes the cookie (a jwt callback returning null would not: it still answers the claims).
      async session({ session, token }) {
        let caller: Caller | null = null;
        try {
          if (typeof token?.uid === "number" && typeof token.sid === "string") caller = await resumeBrowserSession(token.uid, token.sid);
        } catch (error) {
          check.failure = error;
          throw new SessionCheckFailed("session check failed", { cause: error });
        }
        if (!caller) throw new SessionEnded();
        const { id, email, name } = caller.user;
        return { user: { id, email, name }, expires: session.expires };
      },
      async redirect({ url, baseUrl }) {
        // Only this site: a path, or an absolute URL of our own origin. Anything else (another
        // origin, or text that is no URL at all) lands on the profile page.
        if (url.startsWith("/")) return `${baseUrl}${safeNextPath(url)}`;
        try {
          if (new URL(url).origin === baseUrl) return url;
        } catch {
          // not a URL
        }
        return `${baseUrl}/profile`;
      },
    },
    events: {
      // next-auth's own sign-out route (POST /api/auth/signout) deletes the cookie; the session
      // it named must end on the server too, or a copied cookie would still work.
      async signOut({ token }) {
        if (typeof token?.uid === "number" && typeof token.sid === "string") await endSession(token.uid, token.sid);
      },
    },
    logger: {
      error: (code, metadata) => {
        // An ended session is an ordinary answer; a failed check is logged by the route.
        if (metadata instanceof SessionEnded || metadata instanceof SessionCheckFailed) return;
        log.warn("next-auth", { code, metadata: metadata instanceof Error ? metadata.message : undefined });
      },
      warn: (code) => log.warn("next-auth", { code }),
      debug: () => {},
    },
  };
}

const CALLBACK_COOKIES = new Set(["next-auth.callback-url", "__Secure-next-auth.callback-url"]);

/** What next-auth accepts as a callback URL: http(s), or a path on this site. Our redirect callback then keeps it on this site. */
function isHttpUrl(value: string, origin: string): boolean {
  try {
    return /^https?:$/.test(new URL(value, value.startsWith("/") ? origin : undefined).protocol);
  } catch {
    return false;
  }
}

/** next-auth's error codes are identifiers ("OAuthCallback"); it copies the one given into a Location header. */
const ERROR_CODE = /^[A-Za-z0-9_]{1,64}$/;

/**
 * next-auth answers a `callbackUrl` (query or cookie) that is not an http(s) URL with a 500
 * ("server configuration"), and an `error` with control characters too (it cannot put them into
 * its redirect). A request may carry anything: such a value is dropped by sending the client to
 * the same URL without it (307 keeps the method and body), with the cookie deleted. A parameter
 * given more than once is dropped too: next-auth reads the last, not the first. Null when the
 * request is fine as it is.
 */
export function nextAuthRequestCleanup(request: NextRequest): NextResponse | null {
  const url = request.nextUrl.clone();
  const acceptable = (name: string, ok: (value: string) => boolean) => {
    const given = url.searchParams.getAll(name);
    return given.length === 0 || (given.length === 1 && ok(given[0]!));
  };
  const badParams = [
    ...(acceptable("callbackUrl", (v) => isHttpUrl(v, url.origin)) ? [] : ["callbackUrl"]),
    ...(acceptable("error", (v) => ERROR_CODE.test(v)) ? [] : ["error"]),
  ];
  const badCookies = [...CALLBACK_COOKIES].filter((name) => {
    const value = request.cookies.get(name)?.value;
    return value !== undefined && !isHttpUrl(value, url.origin);
  });
  if (badParams.length === 0 && badCookies.length === 0) return null;
  for (const name of badParams) url.searchParams.delete(name);
  // Relative: behind a proxy the server's own idea of its host name may not be the client's.
  const response = new NextResponse(null, { status: 307, headers: { location: `${url.pathname}${url.search}` } });
  for (const name of badCookies) response.cookies.delete(name);
  return response;
}
