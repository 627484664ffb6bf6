import { describe, expect, it } from "vitest";
import { api, baseUrl } from "./client";
import { execSql, postFormAction, registeredVerifiedUser, serverClock, STRONG_PASSWORD, twoFactorUser, uniqueEmail } from "./helpers";
import { grantAdmin, signedIn } from "./admin-support";
import type { Browser } from "./oidc-support";

/**
 * The console's Users pages (/admin/users, /admin/users/[id]) as the server renders them: the
 * table lists and searches, its "Next page" link carries the services' cursor to the next page,
 * a search too short to look up is said in words; a non-admin gets the 404 page, and the user
 * page's actions posted by one change nothing.
 */

const clock = serverClock();

async function adminBrowser(): Promise<Browser> {
  const admin = await twoFactorUser(clock);
  await grantAdmin(admin.email);
  return signedIn(admin, clock);
}

/** Registers `email` (left unconfirmed): an account for the table, without the mail round trip. */
async function registered(email: string): Promise<void> {
  const res = await api("POST", "/auth/register/", { json: { email, password: STRONG_PASSWORD } });
  expect(res.status, res.text).toBe(200);
}

const emailsIn = (html: string, tag: string) => [...new Set(html.match(new RegExp(`${tag}-[0-9a-f]{8}@example\\.test`, "g")) ?? [])];
const decode = (href: string) => href.replaceAll("&amp;", "&");
const linkHref = (html: string, rel: string) => {
  const tag = new RegExp(`<a [^>]*rel="${rel}"[^>]*>`).exec(html)?.[0];
  return tag ? decode(/href="([^"]*)"/.exec(tag)![1]!) : null;
};

describe("the users table", () => {
  it("lists the accounts a search matches, and no other", async () => {
    const tag = `find${Date.now().toString(36)}`;
    const wanted = uniqueEmail(`${tag}a`);
    const other = uniqueEmail(`${tag}b`);
    await registered(wanted);
    await registered(other);
    const browser = await adminBrowser();

    const res = await browser.get(`/admin/users?q=${encodeURIComponent(`${tag}a`)}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("Search users");
    expect(html).toContain(wanted);
    expect(html).not.toContain(other);
    // Its row leads to its page.
    const [row] = await execSql<{ id: number }>(`SELECT "id" FROM "User" WHERE "email" = $1`, [wanted]);
    expect(html).toContain(`href="/admin/users/${row!.id}"`);

    // The filters narrow it too: a new account is not yet verified.
    const verifiedOnly = await (await browser.get(`/admin/users?q=${encodeURIComponent(tag)}&status=verified`)).text();
    expect(verifiedOnly).not.toContain(wanted);
    expect(verifiedOnly).toContain("No account matches these filters.");
  });

  it("says in words that a search needs three characters", async () => {
    const browser = await adminBrowser();
    const res = await browser.get("/admin/users?q=ab");
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("Type at least 3 characters to search.");
  });

  it("goes to the next page by the cursor in its link, and back to the first", async () => {
    const tag = `page${Date.now().toString(36)}`;
    const emails = Array.from({ length: 26 }, () => uniqueEmail(tag));
    for (const email of emails) await registered(email);
    const browser = await adminBrowser();

    const first = await (await browser.get(`/admin/users?q=${tag}`)).text();
    const onFirst = emailsIn(first, tag);
    expect(onFirst).toHaveLength(25);
    const next = linkHref(first, "next");
    expect(next).toMatch(new RegExp(`^/admin/users\\?q=${tag}&cursor=[\\w-]+$`));

    const second = await (await browser.get(next!)).text();
    const onSecond = emailsIn(second, tag);
    // The oldest account, which the first page had no room for.
    expect(onSecond).toEqual([emails[0]]);
    expect(onFirst).not.toContain(emails[0]);
    expect(linkHref(second, "next")).toBeNull();
    expect(second).toContain(`href="/admin/users?q=${tag}"`);
    expect(second).toContain("First page");
  });
});

describe("the user page", () => {
  it("shows the account, and the 404 page for an id that is none", async () => {
    const user = await registeredVerifiedUser();
    const browser = await adminBrowser();
    const page = await browser.get(`/admin/users/${user.userId}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(user.email);
    expect(html).toContain("Sign-in methods");
    expect(html).toContain("Disable account");
    for (const missing of ["/admin/users/999999999", "/admin/users/not-a-number"]) {
      expect((await browser.get(missing)).status, missing).toBe(404);
    }
  });

  it("disables an account for an admin who posts Disable", async () => {
    const user = await registeredVerifiedUser();
    const browser = await adminBrowser();
    const res = await postFormAction(`/admin/users/${user.userId}`, "disableUserAction", { userId: String(user.userId) }, { cookie: browser.cookie(`/admin/users/${user.userId}`), "x-forwarded-for": browser.ip });
    expect(await res.text()).toContain("The account is disabled.");
    const [row] = await execSql<{ disabledAt: unknown }>(`SELECT "disabledAt" FROM "User" WHERE "id" = $1`, [user.userId]);
    expect(row!.disabledAt).not.toBeNull();
  });
});

describe("for anyone but an admin", () => {
  it("a signed-out visitor is sent to sign in, and back to the page", async () => {
    for (const page of ["/admin/users", "/admin/users/1"]) {
      const res = await fetch(`${baseUrl()}${page}`, { redirect: "manual", headers: { accept: "text/html" } });
      expect([303, 307], page).toContain(res.status);
      expect(res.headers.get("location"), page).toMatch(new RegExp(`/login\\?next=${encodeURIComponent(page)}$`));
    }
  });

  it("the Users pages are the 404 page, showing nothing of the accounts", async () => {
    const other = await registeredVerifiedUser();
    const browser = await signedIn(await registeredVerifiedUser(), clock);
    for (const page of ["/admin/users", `/admin/users?q=${encodeURIComponent(other.email)}`, `/admin/users/${other.userId}`]) {
      const res = await browser.get(page);
      expect(res.status, page).toBe(404);
      expect(await res.text(), page).not.toContain(other.email);
    }
  });

  it("the user page's actions change nothing", async () => {
    const target = await registeredVerifiedUser();
    const browser = await signedIn(await registeredVerifiedUser(), clock);
    const headers = { cookie: browser.cookie(`/admin/users/${target.userId}`), "x-forwarded-for": browser.ip };
    for (const action of ["disableUserAction", "deleteUserAction"]) {
      const res = await postFormAction(`/admin/users/${target.userId}`, action, { userId: String(target.userId) }, headers);
      expect(res.status, action).toBeLessThan(500);
      expect(await res.text(), action).toContain("You don't have permission to do that.");
    }
    const rows = await execSql<{ disabledAt: unknown }>(`SELECT "disabledAt" FROM "User" WHERE "id" = $1`, [target.userId]);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.disabledAt).toBeNull();
  });
});
