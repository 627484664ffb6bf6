import type { Metadata } from "next";
import { AuthCard } from "@/components/auth-card";
import { GoogleButton } from "@/components/google-button";
import { OrDivider } from "@/components/or-divider";
import { linkStyle } from "@/components/styles";
import { signupPageData } from "@/lib/web/pages";
import { SignUpForm } from "./signup-form";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Create an account" };

export default async function SignUpPage() {
  const { roles, passwordMinLength, googleEnabled } = await signupPageData();
  return (
    <AuthCard
      title="Create an account"
      description="We’ll e-mail you a code to confirm your address."
      footer={
        <>
          Already have an account?{" "}
          <a href="/login" className={linkStyle}>
            Sign in
          </a>
        </>
      }
    >
      {googleEnabled && (
        <>
          <GoogleButton callbackUrl="/profile" />
          <OrDivider />
        </>
      )}
      <SignUpForm roles={roles} passwordMinLength={passwordMinLength} />
    </AuthCard>
  );
}
