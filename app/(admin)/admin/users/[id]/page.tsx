import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { getFormatter, getTranslations } from "next-intl/server";
import type { ReactNode } from "react";
import { Badge } from "@/components/badge";
import { PageSection } from "@/components/page-section";
import { linkStyle, mutedText } from "@/components/styles";
import { AUDIT_DETAIL_EVENTS, roleChoices, userDetail, type UserDetail } from "@/lib/admin/users";
import type { Caller } from "@/lib/auth/types";
import { isAppError } from "@/lib/errors";
import { wordDevice } from "@/lib/user-agent";
import { requireAdminPage } from "@/lib/web/admin";
import { confirmItsYouData } from "@/lib/web/pages";
import { ConfirmItsYou } from "../../../../(app)/confirm-its-you";
import { EventType, eventTypeWords } from "../../event-type";
import { StatusBadge } from "../status-badge";
import { SessionList, UserActions } from "./user-actions";

export const dynamic = "force-dynamic";

type Params = Promise<{ id: string }>;

/** The account of the page's address, or the 404 page for an id that is not one. */
async function detailOf(session: Caller, id: string): Promise<UserDetail> {
  if (!/^\d{1,15}$/.test(id)) notFound();
  try {
    return await userDetail(session, Number(id));
  } catch (error) {
    if (isAppError(error) && error.code === "NOT_FOUND") notFound();
    throw error;
  }
}

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { id } = await params;
  // Rendered beside the page: its title would tell a non-admin what the 404 hides.
  const session = await requireAdminPage(`/admin/users/${id}`);
  return { title: (await detailOf(session, id)).user.email };
}

const METHOD_KEYS = {
  password: "password",
  code: "code",
  link: "link",
  google: "google",
  signup: "signup",
  passkey: "passkey",
  totp: "totp",
  "recovery-code": "recoveryCode",
  "user-verification": "userVerification",
} as const;
const isKnownMethod = (method: string): method is keyof typeof METHOD_KEYS => Object.hasOwn(METHOD_KEYS, method);

/** One account: its details and sign-in methods, live sessions, last events, and what an admin can do to it. */
export default async function UserPage({ params }: { params: Params }) {
  const { id } = await params;
  const session = await requireAdminPage(`/admin/users/${id}`);
  const [detail, roles, confirmation, t, common, format, wordsOf] = await Promise.all([
    detailOf(session, id),
    roleChoices(session),
    confirmItsYouData(session),
    getTranslations("adminUsers"),
    getTranslations("common"),
    getFormatter(),
    eventTypeWords(),
  ]);
  const { user, sessions, audit } = detail;
  const when = (value: Date) => format.dateTime(value, { dateStyle: "medium", timeStyle: "short" });
  const onOff = (on: boolean) => (on ? <Badge tone="green">{t("user.on")}</Badge> : t("user.off"));
  const methodsOf = (methods: string) =>
    methods
      .split(",")
      .filter(Boolean)
      .map((m) => (isKnownMethod(m) ? t(`user.method.${METHOD_KEYS[m]}`) : m))
      .join(", ");

  return (
    <ConfirmItsYou
      {...confirmation}
    >
      <div className="flex flex-col gap-8">
        <div className="flex flex-col gap-3">
          <Link href="/admin/users" className={`${linkStyle} self-start rounded text-sm`}>
            {/* Back points to where a line starts: right, in a right-to-left language. */}
            <span aria-hidden="true" className="inline-block rtl:-scale-x-100">
              ←
            </span>{" "}
            {t("user.back")}
          </Link>
          <div className="min-w-0">
            <h1 className="flex flex-wrap items-center gap-x-3 gap-y-1 text-2xl font-semibold tracking-tight text-slate-900 sm:text-3xl dark:text-white">
              <bdi dir="ltr" className="min-w-0 wrap-anywhere">
                {user.email}
              </bdi>
              <StatusBadge user={user} words={(status) => t(`status.${status}`)} />
            </h1>
            <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">{t("user.intro", { id: user.id })}</p>
          </div>
        </div>

        <div className="grid gap-8 lg:grid-cols-2">
          <PageSection id="details" title={t("user.detailsTitle")}>
            <dl className="grid gap-x-6 gap-y-2 text-sm sm:grid-cols-[max-content_minmax(0,1fr)]">
              <Detail term={t("user.name")}>{user.name ? <bdi>{user.name}</bdi> : <NotGiven text={t("user.notGiven")} />}</Detail>
              <Detail term={t("user.role")}>{user.role}</Detail>
              <Detail term={t("user.status")}>{t(`status.${user.disabled ? "disabled" : user.verified ? "verified" : "unverified"}`)}</Detail>
              <Detail term={t("user.created")}>{when(user.createdAt)}</Detail>
              <Detail term={t("user.lastSignIn")}>{user.lastLoginAt ? when(user.lastLoginAt) : <NotGiven text={t("list.never")} />}</Detail>
              <Detail term={t("user.mobile")}>{user.mobile ? <bdi dir="ltr">{user.mobile}</bdi> : <NotGiven text={t("user.notGiven")} />}</Detail>
              <Detail term={t("user.dob")}>{user.dob ?? <NotGiven text={t("user.notGiven")} />}</Detail>
              <Detail term={t("user.language")}>{user.locale ?? <NotGiven text={t("user.notGiven")} />}</Detail>
            </dl>
          </PageSection>

          <PageSection id="methods" title={t("user.methodsTitle")}>
            <dl className="grid gap-x-6 gap-y-2 text-sm sm:grid-cols-[max-content_minmax(0,1fr)]">
              <Detail term={t("user.password")}>{user.password ? t("user.passwordSet") : t("user.passwordNone")}</Detail>
              <Detail term={t("user.google")}>{user.google ? t("user.linked") : t("user.notLinked")}</Detail>
              <Detail term={t("user.passkeys")}>{t("user.passkeyCount", { count: user.passkeys })}</Detail>
              <Detail term={t("user.twoFactor")}>{onOff(user.twoFactor)}</Detail>
            </dl>
          </PageSection>
        </div>

        <PageSection id="actions" title={t("user.actionsTitle")} description={t("user.actionsIntro")}>
          <UserActions
            user={{ id: user.id, email: user.email, disabled: user.disabled, verified: user.verified, roleId: user.roleId, secondFactor: user.twoFactor || user.passkeys > 0 }}
            roles={roles}
          />
        </PageSection>

        <PageSection id="sessions" title={t("user.sessionsTitle")} description={t("user.sessionsIntro")}>
          <SessionList
            user={{ id: user.id, email: user.email }}
            sessions={sessions.map((s) => ({
              id: s.id,
              device: wordDevice(common, s.userAgent, s.kind),
              details: (
                <dl className="mt-2 grid gap-x-6 gap-y-1 text-sm sm:grid-cols-[max-content_minmax(0,1fr)]">
                  <Detail term={t("user.session.ip")}>{s.ip ? <bdi dir="ltr">{s.ip}</bdi> : <NotGiven text={t("user.notGiven")} />}</Detail>
                  <Detail term={t("user.session.started")}>{when(s.createdAt)}</Detail>
                  <Detail term={t("user.session.lastUsed")}>{when(s.lastUsedAt)}</Detail>
                  <Detail term={t("user.session.methods")}>{methodsOf(s.methods)}</Detail>
                </dl>
              ),
            }))}
          />
        </PageSection>

        <PageSection id="activity" title={t("user.auditTitle")} description={t("user.auditIntro", { count: AUDIT_DETAIL_EVENTS })}>
          {audit.length === 0 ? (
            <p className={`text-sm ${mutedText}`}>{t("user.noEvents")}</p>
          ) : (
            <ol className="flex flex-col gap-3 border-s-2 border-slate-200 ps-4 dark:border-slate-700">
              {audit.map((event) => (
                <li key={event.id} className="text-sm">
                  <p className="flex flex-wrap items-baseline gap-x-2">
                    <EventType type={event.type} words={wordsOf(event.type)} />
                    {event.actorId !== null && event.actorId !== event.userId &&
                      (event.actorEmail ? (
                        <Link href={`/admin/users/${event.actorId}`} className={`${linkStyle} rounded`}>
                          {t.rich("user.byAdminEmail", { email: event.actorEmail, address: (chunks) => <bdi dir="ltr">{chunks}</bdi> })}
                        </Link>
                      ) : (
                        // The admin's account is gone: its id is all the record keeps.
                        <span className={mutedText}>{t("user.byAdmin", { id: event.actorId })}</span>
                      ))}
                  </p>
                  <p className={mutedText}>
                    <time dateTime={event.at.toISOString()}>{when(event.at)}</time>
                    {event.ip && (
                      <>
                        {" · "}
                        {t("user.fromIp", { ip: event.ip })}
                      </>
                    )}
                  </p>
                </li>
              ))}
            </ol>
          )}
        </PageSection>
      </div>
    </ConfirmItsYou>
  );
}

function Detail({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div className="contents">
      <dt className="font-medium text-slate-700 dark:text-slate-300">{term}</dt>
      <dd className="mb-1 min-w-0 wrap-anywhere text-slate-900 sm:mb-0 dark:text-slate-100">{children}</dd>
    </div>
  );
}

function NotGiven({ text }: { text: string }) {
  return <span className={mutedText}>{text}</span>;
}
