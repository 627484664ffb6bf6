import type { Metadata } from "next";
import { getFormatter, getTranslations } from "next-intl/server";
import type { ReactNode } from "react";
import { Badge } from "@/components/badge";
import { Notice } from "@/components/form-message";
import { PageSection } from "@/components/page-section";
import { first, type SearchParams } from "@/components/search-params";
import { SubmitButton } from "@/components/submit-button";
import { isLocale } from "@/lib/i18n/locales";
import { SCOPES } from "@/lib/oauth/provider";
import { wordDevice } from "@/lib/user-agent";
import { authPageData, profilePageData } from "@/lib/web/pages";
import { requireSession } from "@/lib/web/session";
import { ConfirmItsYou } from "../confirm-its-you";
import { revokeAppAction, revokeSessionAction, signOutAllAction } from "./actions";
import { ChangeEmailForm } from "./change-email-form";
import { ChangePasswordForm } from "./change-password-form";
import { DeleteAccount } from "./delete-account";
import { LanguageForm } from "./language-form";
import { PasskeysSection } from "./passkeys-section";
import { ProfileForm } from "./profile-form";
import { RowActionForm } from "./row-action-form";
import { SetPasswordLinkForm } from "./set-password-link-form";
import { TwoFactorSection } from "./two-factor-section";

export const dynamic = "force-dynamic";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("account.profile");
  return { title: t("title") };
}

/** "just now", within a week "5 minutes ago", before that the date ("3 Dec 2026"), in the reader's language. */
const MINUTE_MS = 60 * 1000;
const WEEK_MS = 7 * 24 * 60 * MINUTE_MS;

export default async function ProfilePage({ searchParams }: { searchParams: SearchParams }) {
  const session = await requireSession("/profile");
  const [{ user, sessions, passkeys, connectedApps, proofFreshForSeconds, reauthentication }, params, t, format, consentWords] = await Promise.all([
    profilePageData(session),
    searchParams,
    getTranslations("account"),
    getFormatter(),
    getTranslations("auth.oauthConsent"),
  ]);
  const { passwordMinLength, appName } = authPageData();
  const now = new Date();
  const when = (iso: string) => {
    const then = new Date(iso);
    const ago = now.getTime() - then.getTime();
    if (ago < MINUTE_MS) return t("actions.justNow");
    return ago < WEEK_MS ? format.relativeTime(then, now) : format.dateTime(then, { dateStyle: "medium" });
  };
  const common = await getTranslations("common");
  const describeDevice = (userAgent: string | null, kind: string) => wordDevice(common, userAgent, kind);
  // What an app may do, in the consent page's words; a scope without words is shown by its name.
  const describeScope = (scope: string) => (isKnownScope(scope) ? consentWords(`scopes.${scope}`) : scope);

  return (
    <ConfirmItsYou
      needs={reauthentication}
      email={user.email}
      freshForSeconds={proofFreshForSeconds}
    >
      <div className="flex flex-col gap-8">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight text-slate-900 sm:text-3xl dark:text-white">{t("profile.title")}</h1>
          <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">{t("profile.intro")}</p>
        </div>

        {first(params.confirmed) === "1" && (
          <div className="-mb-3">
            <Notice tone="success">{t("profile.confirmed")}</Notice>
          </div>
        )}
        {first(params.emailchanged) === "1" && (
          <div className="-mb-3">
            <Notice tone="success">
              {t.rich("profile.emailChanged", {
                email: user.email,
                strong: (chunks) => <strong className="font-semibold wrap-anywhere">{bidiIsolated(chunks)}</strong>,
              })}
            </Notice>
          </div>
        )}
        {first(params.language) === "saved" && (
          <div className="-mb-3">
            <Notice tone="success">{t("language.saved")}</Notice>
          </div>
        )}

        <PageSection id="details" title={t("details.title")}>
          <ProfileForm name={user.name} mobile={user.mobile} dob={user.dob} />
        </PageSection>

        <PageSection id="language" title={t("language.title")} description={t("language.description")}>
          <LanguageForm chosen={isLocale(session.user.locale) ? session.user.locale : null} />
        </PageSection>

        <PageSection id="email" title={t("email.title")} description={t("email.description")}>
          <dl className="mb-5 flex flex-col gap-1.5">
            <dt className="text-sm font-medium text-slate-800 dark:text-slate-200">{t("email.current")}</dt>
            <dd className="flex flex-wrap items-center gap-2 text-sm">
              <bdi className="font-medium wrap-anywhere text-slate-900 dark:text-white">{user.email}</bdi>
              {user.isVerified ? <Badge tone="green">{t("email.verified")}</Badge> : <Badge tone="amber">{t("email.notVerified")}</Badge>}
            </dd>
          </dl>
          <ChangeEmailForm hasPassword={user.hasPassword} verified={user.isVerified} />
        </PageSection>

        <PageSection
          id="password"
          title={user.hasPassword ? t("password.changeTitle") : t("password.setTitle")}
          description={user.hasPassword ? t("password.changeDescription") : t("password.setDescription")}
        >
          {user.hasPassword ? <ChangePasswordForm passwordMinLength={passwordMinLength} /> : <SetPasswordLinkForm email={user.email} />}
        </PageSection>

        <PageSection id="two-factor" title={t("twoFactor.title")} description={t("twoFactor.description")}>
          {/* Sent here from the console (lib/web/admin.ts, to this section's anchor): an admin account opens it with two-factor only. */}
          {first(params.admin) === "two-factor" && !user.twoFactorEnabled && <Notice tone="info">{t("profile.adminNeedsTwoFactor")}</Notice>}
          <TwoFactorSection enabled={user.twoFactorEnabled} verified={user.isVerified} appName={appName} email={user.email} />
        </PageSection>

        <PageSection id="passkeys" title={t("passkeys.title")} description={t("passkeys.description")}>
          <PasskeysSection
            verified={user.isVerified}
            passkeys={passkeys.map((p) => ({
              ...p,
              addedWhen: when(p.createdAt),
              lastUsedWhen: p.lastUsedAt ? when(p.lastUsedAt) : null,
            }))}
          />
        </PageSection>

        <PageSection id="sessions" title={t("sessions.title")} description={t("sessions.description")}>
          <ul className="-my-3 divide-y divide-slate-200 dark:divide-slate-800">
            {sessions.map((s) => {
              const device = describeDevice(s.userAgent, s.kind);
              return (
                <li key={s.id} className="flex flex-wrap items-center gap-x-4 gap-y-2 py-3">
                  <DeviceIcon kind={s.kind === "browser" ? "browser" : "app"} />
                  <div className="min-w-0 flex-1">
                    <p className="flex flex-wrap items-center gap-2 text-sm font-medium text-slate-900 dark:text-white">
                      <bdi>{device}</bdi>
                      {s.current && <Badge tone="indigo">{t("sessions.thisDevice")}</Badge>}
                    </p>
                    <p className="text-sm text-slate-600 dark:text-slate-400">
                      {s.ip ? <bdi>{s.ip}</bdi> : t("sessions.unknownAddress")} ·{" "}
                      {s.current
                        ? t("sessions.activeNow")
                        : t.rich("sessions.lastActive", {
                            when: when(s.lastUsedAt),
                            time: (chunks) => <time dateTime={s.lastUsedAt}>{chunks}</time>,
                          })}
                    </p>
                  </div>
                  {!s.current && (
                    <RowActionForm action={revokeSessionAction} name="sessionId" value={s.id} pendingText={t("layout.signingOut")}>
                      {t.rich("sessions.signOut", { device, hidden: (chunks) => <span className="sr-only">{chunks}</span> })}
                    </RowActionForm>
                  )}
                </li>
              );
            })}
          </ul>
          <div className="mt-6 flex flex-col gap-3 border-t border-slate-200 pt-5 sm:flex-row sm:items-center sm:justify-between dark:border-slate-800">
            <p className="text-sm text-slate-600 dark:text-slate-400">{t("sessions.lostDevice")}</p>
            <form action={signOutAllAction}>
              <SubmitButton variant="danger" fullWidth={false} pendingText={t("layout.signingOut")} className="w-full sm:w-auto">
                {t("sessions.signOutAll")}
              </SubmitButton>
            </form>
          </div>
        </PageSection>

        {connectedApps && (
          <PageSection id="connected-apps" title={t("connectedApps.title")} description={t("connectedApps.description")}>
            {connectedApps.length === 0 ? (
              <p className="text-sm text-slate-600 dark:text-slate-400">{t("connectedApps.none")}</p>
            ) : (
              <ul className="-my-3 divide-y divide-slate-200 dark:divide-slate-800">
                {connectedApps.map((app) => (
                  <li key={app.clientId} className="py-3">
                    <div className="flex flex-wrap items-center gap-x-4 gap-y-2">
                      <AppIcon />
                      <div className="min-w-0 flex-1">
                        <p className="text-sm font-medium wrap-anywhere text-slate-900 dark:text-white">
                          <bdi>{app.name}</bdi>
                        </p>
                        <p className="text-sm text-slate-600 dark:text-slate-400">
                          {app.lastUsedAt
                            ? t.rich("connectedApps.lastUsed", { when: when(app.lastUsedAt), time: (chunks) => <time dateTime={app.lastUsedAt!}>{chunks}</time> })
                            : t.rich("connectedApps.allowedNotUsed", { when: when(app.allowedAt), time: (chunks) => <time dateTime={app.allowedAt}>{chunks}</time> })}
                        </p>
                      </div>
                      <RowActionForm action={revokeAppAction} name="clientId" value={app.clientId} pendingText={t("connectedApps.revoking")}>
                        {t.rich("connectedApps.revoke", { app: app.name, hidden: (chunks) => <span className="sr-only">{chunks}</span> })}
                      </RowActionForm>
                    </div>
                    {/* Under the name, past the icon (size-10 and gap-4) where there is one. */}
                    <div className="mt-2 sm:ps-14">
                      <p id={`app-${app.clientId}-may`} className="text-xs font-medium text-slate-700 dark:text-slate-300">
                        {t("connectedApps.mayLabel")}
                      </p>
                      <ul aria-labelledby={`app-${app.clientId}-may`} className="mt-1 list-disc space-y-0.5 ps-5 text-sm text-slate-700 dark:text-slate-300">
                        {app.scopes.map((scope) => (
                          <li key={scope}>{describeScope(scope)}</li>
                        ))}
                      </ul>
                    </div>
                  </li>
                ))}
              </ul>
            )}
          </PageSection>
        )}

        <PageSection id="delete-account" title={t("deleteAccount.title")} tone="danger">
          <DeleteAccount hasPassword={user.hasPassword} email={user.email} />
        </PageSection>
      </div>
    </ConfirmItsYou>
  );
}

const isKnownScope = (scope: string): scope is (typeof SCOPES)[number] => (SCOPES as readonly string[]).includes(scope);

/** An address inside a sentence of another direction keeps its own order. */
const bidiIsolated = (chunks: ReactNode) => <bdi>{chunks}</bdi>;

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

function AppIcon() {
  return (
    <span className="hidden size-10 shrink-0 items-center justify-center rounded-full bg-slate-100 text-slate-600 sm:flex dark:bg-slate-800 dark:text-slate-300">
      <svg className="size-5" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true">
        <rect x="3.5" y="3.5" width="7" height="7" rx="1.5" />
        <rect x="13.5" y="3.5" width="7" height="7" rx="1.5" />
        <rect x="3.5" y="13.5" width="7" height="7" rx="1.5" />
        <rect x="13.5" y="13.5" width="7" height="7" rx="1.5" />
      </svg>
    </span>
  );
}
