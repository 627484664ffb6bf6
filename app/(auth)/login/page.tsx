import type { Metadata } from "next";
import { AuthCard } from "@/components/auth-card";
import { Notice } from "@/components/form-message";
import { GoogleButton } from "@/components/google-button";
import { OrDivider } from "@/components/or-divider";
import { first, type SearchParams } from "@/components/search-params";
import { linkStyle } from "@/components/styles";
import { authPageData } from "@/lib/web/pages";
import { safeNextPath } from "@/lib/web/session";
import { LoginForm } from "./login-form";
import { PasskeySignIn } from "./passkey-sign-in";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Sign in" };

/** What next-auth's `?error=` codes mean to the person who just came back from Google. */
const SIGN_IN_ERRORS: Record<string, string> = {
  OAuthCallback: "Signing in with Google was cancelled or didn’t complete. Please try again.",
  Callback: "Signing in with Google was cancelled or didn’t complete. Please try again.",
  OAuthSignin: "We couldn’t start signing in with Google. Please try again.",
  GoogleEmailUnverified:
    "Your Google account’s e-mail address isn’t verified by Google, so we can’t sign you in with it. Verify it with Google, or sign in with your e-mail and password.",
  AccountDisabled: "This account has been disabled. If you think that’s a mistake, contact support.",
  GoogleAccountConflict:
    "An account with this e-mail address is already linked to a different Google account. Sign in with your e-mail and password instead.",
  AccessDenied: "Google sign-in isn’t allowed for this account. Sign in with your e-mail and password instead.",
  SessionRequired: "Please sign in to continue.",
  // Ours: the second step of a sign-in expired (5 minutes) or took too many wrong codes.
  SignInAgain: "That sign-in took too long or had too many wrong codes. Please sign in again.",
};
const DEFAULT_ERROR = "Signing in didn’t work. Please try again.";

export default async function LoginPage({ searchParams }: { searchParams: SearchParams }) {
  const params = await searchParams;
  const { googleEnabled } = authPageData();
  // Only a path on this site is ever passed on (the action checks again).
  const next = safeNextPath(first(params.next));
  const error = first(params.error);

  return (
    <AuthCard
      title="Sign in"
      description="Welcome back. Sign in to your account."
      footer={
        <>
          New here?{" "}
          <a href="/signup" className={linkStyle}>
            Create an account
          </a>
        </>
      }
    >
      {first(params.reset) === "1" && <Notice tone="success">Password changed. Sign in with your new password.</Notice>}
      {first(params.signedout) === "all" && (
        <Notice tone="success">You’ve been signed out on all devices.</Notice>
      )}
      {first(params.emailchanged) === "1" && <Notice tone="success">Your e-mail address is changed. Sign in with the new one from now on.</Notice>}
      {error && (
        <div role="alert">
          <Notice tone="error">{(Object.hasOwn(SIGN_IN_ERRORS, error) && SIGN_IN_ERRORS[error]) || DEFAULT_ERROR}</Notice>
        </div>
      )}
      <div className="flex flex-col gap-3">
        {googleEnabled && <GoogleButton callbackUrl={next} />}
        <PasskeySignIn next={next} />
      </div>
      <OrDivider />
      <LoginForm next={next} defaultEmail={first(params.email)} />
    </AuthCard>
  );
}
