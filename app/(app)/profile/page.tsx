import type { Metadata } from "next";
import type { ReactNode } from "react";
import { Badge } from "@/components/badge";
import { ConfirmItsYouProvider } from "@/components/confirm-its-you";
import { Notice } from "@/components/form-message";
import { first, type SearchParams } from "@/components/search-params";
import { SubmitButton } from "@/components/submit-button";
import { describeUserAgent, describeWhen } from "@/lib/user-agent";
import { authPageData, profilePageData } from "@/lib/web/pages";
import { requireSession } from "@/lib/web/session";
import {
  passkeyReauthenticationOptionsAction,
  reauthenticateAction,
  reauthenticateWithPasskeyAction,
  sendReauthenticationCodeAction,
} from "../reauthenticate-actions";
import { signOutAllAction } from "./actions";
import { ChangeEmailForm } from "./change-email-form";
import { ChangePasswordForm } from "./change-password-form";
import { DeleteAccount } from "./delete-account";
import { PasskeysSection } from "./passkeys-section";
import { ProfileForm } from "./profile-form";
import { RevokeSessionForm } from "./revoke-session-form";
import { SetPasswordLinkForm } from "./set-password-link-form";
import { TwoFactorSection } from "./two-factor-section";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Your account" };

export default async function ProfilePage({ searchParams }: { searchParams: SearchParams }) {
  const session = await requireSession("/profile");
  const [{ user, sessions, passkeys, proofFreshForSeconds, reauthentication }, params] = await Promise.all([profilePageData(session), searchParams]);
  const { passwordMinLength, appName } = authPageData();
  const now = new Date();

  return (
    <ConfirmItsYouProvider
      needs={reauthentication}
      email={user.email}
      freshForSeconds={proofFreshForSeconds}
      actions={{
        reauthenticate: reauthenticateAction,
        sendCode: sendReauthenticationCodeAction,
        passkeyOptions: passkeyReauthenticationOptionsAction,
        reauthenticateWithPasskey: reauthenticateWithPasskeyAction,
      }}
    >
      <div className="flex flex-col gap-8">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight text-slate-900 sm:text-3xl dark:text-white">Your account</h1>
          <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">Your details, how you sign in, and where you’re signed in.</p>
        </div>

        {first(params.confirmed) === "1" && (
          <div className="-mb-3">
            <Notice tone="success">Your e-mail address is confirmed and you’re signed in.</Notice>
          </div>
        )}
        {first(params.emailchanged) === "1" && (
          <div className="-mb-3">
            <Notice tone="success">
              Your e-mail address is now <strong className="font-semibold wrap-anywhere">{user.email}</strong>. Other devices were signed out.
            </Notice>
          </div>
        )}

        <Section id="details" title="Personal details">
          <ProfileForm name={user.name} mobile={user.mobile} dob={user.dob} />
        </Section>

        <Section id="email" title="E-mail address" description="How you sign in, and where we send codes, links and notices.">
          <dl className="mb-5 flex flex-col gap-1.5">
            <dt className="text-sm font-medium text-slate-800 dark:text-slate-200">Email</dt>
            <dd className="flex flex-wrap items-center gap-2 text-sm">
              <span className="font-medium wrap-anywhere text-slate-900 dark:text-white">{user.email}</span>
              {user.isVerified ? <Badge tone="green">Verified</Badge> : <Badge tone="amber">Not verified</Badge>}
            </dd>
          </dl>
          <ChangeEmailForm hasPassword={user.hasPassword} verified={user.isVerified} />
        </Section>

        <Section
          id="password"
          title={user.hasPassword ? "Change password" : "Set a password"}
          description={
            user.hasPassword
              ? "Changing your password signs out every other device."
              : "You sign in with Google. Set a password to sign in with your e-mail address too."
          }
        >
          {user.hasPassword ? <ChangePasswordForm passwordMinLength={passwordMinLength} /> : <SetPasswordLinkForm email={user.email} />}
        </Section>

        <Section
          id="two-factor"
          title="Two-factor authentication"
          description="A code from an authenticator app on your phone, asked for after your password or Google, so a stolen password alone can’t get in."
        >
          <TwoFactorSection enabled={user.twoFactorEnabled} verified={user.isVerified} appName={appName} email={user.email} />
        </Section>

        <Section id="passkeys" title="Passkeys" description="Sign in with your fingerprint, face or screen lock instead of a password. Passkeys can’t be phished or leaked.">
          <PasskeysSection
            verified={user.isVerified}
            passkeys={passkeys.map((p) => ({
              ...p,
              addedWhen: describeWhen(p.createdAt, now),
              lastUsedWhen: p.lastUsedAt ? describeWhen(p.lastUsedAt, now) : null,
            }))}
          />
        </Section>

        <Section id="sessions" title="Where you’re signed in" description="Sign out of any session you don’t recognise, then change your password.">
          <ul className="-my-3 divide-y divide-slate-200 dark:divide-slate-800">
            {sessions.map((s) => {
              const device = describeUserAgent(s.userAgent, s.kind);
              return (
                <li key={s.id} className="flex flex-wrap items-center gap-x-4 gap-y-2 py-3">
                  <DeviceIcon kind={s.kind === "browser" ? "browser" : "app"} />
                  <div className="min-w-0 flex-1">
                    <p className="flex flex-wrap items-center gap-2 text-sm font-medium text-slate-900 dark:text-white">
                      {device}
                      {s.current && <Badge tone="indigo">This device</Badge>}
                    </p>
                    <p className="text-sm text-slate-600 dark:text-slate-400">
                      {s.ip ?? "Unknown address"} ·{" "}
                      {s.current ? (
                        "Active now"
                      ) : (
                        <>
                          Last active <time dateTime={s.lastUsedAt}>{describeWhen(s.lastUsedAt, now)}</time>
                        </>
                      )}
                    </p>
                  </div>
                  {!s.current && <RevokeSessionForm sessionId={s.id} device={device} />}
                </li>
              );
            })}
          </ul>
          <div className="mt-6 flex flex-col gap-3 border-t border-slate-200 pt-5 sm:flex-row sm:items-center sm:justify-between dark:border-slate-800">
            <p className="text-sm text-slate-600 dark:text-slate-400">Lost a device? Sign out everywhere, this device included.</p>
            <form action={signOutAllAction}>
              <SubmitButton variant="danger" fullWidth={false} pendingText="Signing out…" className="w-full sm:w-auto">
                Sign out of all devices
              </SubmitButton>
            </form>
          </div>
        </Section>

        <Section id="delete-account" title="Delete account" tone="danger">
          <DeleteAccount hasPassword={user.hasPassword} email={user.email} />
        </Section>
      </div>
    </ConfirmItsYouProvider>
  );
}

function Section({
  id,
  title,
  description,
  tone = "normal",
  children,
}: {
  id: string;
  title: string;
  description?: string;
  tone?: "normal" | "danger";
  children: ReactNode;
}) {
  return (
    <section
      id={id}
      aria-labelledby={`${id}-title`}
      className={`scroll-mt-6 rounded-2xl border bg-white px-5 py-6 shadow-sm sm:px-8 sm:py-7 dark:bg-slate-900 ${
        tone === "danger" ? "border-red-200 dark:border-red-900" : "border-slate-200 dark:border-slate-800"
      }`}
    >
      <h2 id={`${id}-title`} className={`text-lg font-semibold ${tone === "danger" ? "text-red-700 dark:text-red-400" : "text-slate-900 dark:text-white"}`}>
        {title}
      </h2>
      {description && <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">{description}</p>}
      <div className="mt-5">{children}</div>
    </section>
  );
}

function DeviceIcon({ kind }: { kind: "browser" | "app" }) {
  return (
    <span className="hidden size-10 shrink-0 items-center justify-center rounded-full bg-slate-100 text-slate-600 sm:flex dark:bg-slate-800 dark:text-slate-300">
      <svg className="size-5" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true">
        {kind === "browser" ? (
          <>
            <rect x="3" y="4" width="18" height="13" rx="2" />
            <path d="M8 21h8M12 17v4" />
          </>
        ) : (
          <>
            <rect x="7" y="2.5" width="10" height="19" rx="2" />
            <path d="M11 18.5h2" />
          </>
        )}
      </svg>
    </span>
  );
}
