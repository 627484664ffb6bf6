import type { NextAuthOptions, User } from "next-auth";
import GoogleProvider from "next-auth/providers/google";
import { createBrowserSession } from "@/lib/auth/browser-sessions";
import { signInWithGoogleIdentity } from "@/lib/auth/google";
import { config } from "@/lib/config/env";
import type { UserRecord } from "@/lib/db/users";
import { isAppError } from "@/lib/errors";
import { log } from "@/lib/log";
import { googleEnabled } from "./pages";
import { requestMeta, SESSION_MAX_AGE_SECONDS, secureCookies } from "./session";

/**
 * next-auth runs the "Continue with Google" OAuth dance (state, PKCE, code exchange, id_token
 * checks against the issuer's keys). The account rules are ours: the same
 * `signInWithGoogleIdentity` as the id_token API, and the same server-side browser session as a
 * password sign-in — the cookie next-auth writes has the `uid`/`sid` claims lib/web/session.ts reads.
 */

// Accounts resolved in the signIn callback, picked up by the jwt callback of the same request.
const resolved = new WeakMap<User, UserRecord>();

export function authOptions(): NextAuthOptions {
  const { authSecret, google } = config();
  return {
    secret: authSecret,
    useSecureCookies: secureCookies(),
    session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_SECONDS },
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
          const record = await signInWithGoogleIdentity(
            { issuer: google.issuer, subject: profile.sub, email: profile.email.toLowerCase(), emailVerified: true, name: profile.name ?? undefined },
            await requestMeta(),
            { createIfMissing: true, client: "browser" },
          );
          resolved.set(user, record);
          return true;
        } catch (error) {
          if (isAppError(error) && error.code === "ACCOUNT_DISABLED") return "/login?error=AccountDisabled";
          if (isAppError(error) && error.code === "EMAIL_TAKEN") return "/login?error=GoogleAccountConflict";
          log.error("google browser sign-in failed", { error });
          return "/login?error=Callback";
        }
      },
      async jwt({ token, user }) {
        const record = user ? resolved.get(user) : undefined;
        if (!record) return token;
        const sid = await createBrowserSession(record, await requestMeta());
        return { sub: String(record.id), uid: record.id, sid, email: record.email };
      },
      async redirect({ url, baseUrl }) {
        // Only same-site destinations, as for `next` on the login page.
        if (url.startsWith("/") && !url.startsWith("//")) return `${baseUrl}${url}`;
        return new URL(url).origin === baseUrl ? url : `${baseUrl}/profile`;
      },
    },
    logger: {
      error: (code, metadata) => log.warn("next-auth", { code, metadata: metadata instanceof Error ? metadata.message : undefined }),
      warn: (code) => log.warn("next-auth", { code }),
      debug: () => {},
    },
  };
}
