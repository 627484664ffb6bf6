import { expect } from "vitest";
import { execSql, postFormAction, type serverClock } from "./helpers";
import { Browser } from "./oidc-support";

/** As `npm run user:role -- <email> admin` does (scripts/user-role.ts), in one UPDATE. */
export const grantAdmin = (email: string) =>
  execSql(`UPDATE "User" SET "roleId" = (SELECT "id" FROM "Role" WHERE "name" = 'admin') WHERE "email" = $1`, [email]);

/** A browser signed in on /login with the password, and the authenticator code when asked. */
export async function signedIn(user: { email: string; password: string; secret?: string }, clock: ReturnType<typeof serverClock>): Promise<Browser> {
  const browser = new Browser();
  const to = await browser.signIn(user.email, user.password, "/profile");
  if (user.secret) {
    expect(to).toMatch(/^\/login\/two-factor\?/);
    const res = await postFormAction("/login/two-factor", "secondStepCodeAction", { code: await clock.totp(user.secret), next: "/profile" }, { cookie: browser.cookie("/login/two-factor"), "x-forwarded-for": browser.ip });
    browser.keep(res);
    expect(res.headers.get("x-action-redirect")?.split(";")[0]).toBe("/profile");
  } else {
    expect(to).toBe("/profile");
  }
  return browser;
}
