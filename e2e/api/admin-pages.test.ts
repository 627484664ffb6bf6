import { describe, expect, it } from "vitest";
import { baseUrl } from "./client";
import { grantAdmin, signedIn as signedInWith } from "./admin-support";
import { execSql, postFormAction, registeredVerifiedUser, serverClock, twoFactorUser } from "./helpers";

/**
 * Who gets into the console's pages (/admin, lib/web/admin.ts): a signed-out visitor is sent to
 * sign in and back, anyone but an admin gets the 404 page, an admin without two-factor is sent to
 * turn it on; only an admin with two-factor sees the console. And its forms are no way around the
 * pages: a non-admin's post of the Apps page's action registers nothing.
 */

const clock = serverClock();
const PAGES = ["/admin", "/admin/apps", "/admin/audit"];
const signedIn = (user: Parameters<typeof signedInWith>[0]) => signedInWith(user, clock);

const oauthClientNamed = async (name: string) =>
  (await execSql<{ id: string }>(`SELECT "id" FROM "OAuthModel" WHERE "model" = 'Client' AND "payload" LIKE $1`, [`%"client_name":"${name}"%`])).length;

describe("the console's pages", () => {
  it("send a signed-out visitor to sign in, and back to the page asked for", async () => {
    for (const page of PAGES) {
      const res = await fetch(`${baseUrl()}${page}`, { redirect: "manual", headers: { accept: "text/html" } });
      expect([303, 307], page).toContain(res.status);
      expect(res.headers.get("location"), page).toMatch(new RegExp(`/login\\?next=${encodeURIComponent(page)}$`));
    }
  });

  it("answer anyone but an admin with the 404 page, showing nothing of the console", async () => {
    const browser = await signedIn(await registeredVerifiedUser());
    for (const page of PAGES) {
      const res = await browser.get(page);
      expect(res.status, page).toBe(404);
      const html = await res.text();
      // Not even the page's title.
      expect(html).not.toContain("Admin console");
      expect(html).not.toContain("/admin/apps");
    }
  });

  it("send an admin without two-factor to turn it on, on the profile, and nowhere else under /admin", async () => {
    const user = await registeredVerifiedUser();
    await grantAdmin(user.email);
    const browser = await signedIn(user);
    for (const page of PAGES) {
      const res = await browser.get(page);
      expect([303, 307], page).toContain(res.status);
      expect(res.headers.get("location"), page).toBe("/profile?admin=two-factor#two-factor");
    }
    const profile = await browser.get("/profile?admin=two-factor");
    expect(profile.status).toBe(200);
    expect(await profile.text()).toContain("Turn on two-factor authentication below to use the admin console");
  });

  it("open for an admin with two-factor on: the overview and the Apps page, with the console's sections", async () => {
    const user = await twoFactorUser(clock);
    await grantAdmin(user.email);
    const browser = await signedIn(user);
    for (const page of PAGES) {
      const res = await browser.get(page);
      expect(res.status, page).toBe(200);
      const html = await res.text();
      expect(html).toContain('aria-label="Admin console"');
      // The section's link, and only it, is marked as the current page.
      const marked = [...html.matchAll(/<a [^>]*aria-current="page"[^>]*>/g)].map(([tag]) => /href="([^"]*)"/.exec(tag)?.[1]);
      expect(marked, page).toEqual([page]);
    }
    const apps = await (await browser.get("/admin/apps")).text();
    expect(apps).toContain("Registered apps");
    expect(apps).toContain("Add an app");
  });
});

describe("the Apps page's actions", () => {
  it("register nothing for a non-admin who posts them", async () => {
    const browser = await signedIn(await registeredVerifiedUser());
    const name = `Sneaky ${Date.now()}`;
    const res = await postFormAction(
      "/admin/apps",
      "addClientAction",
      { name, type: "confidential", redirectUris: "https://sneaky.example.test/cb" },
      { cookie: browser.cookie("/admin/apps"), "x-forwarded-for": browser.ip },
    );
    expect(res.status).toBeLessThan(500);
    expect(await res.text()).toContain("You don't have permission to do that.");
    expect(await oauthClientNamed(name)).toBe(0);
  });
});
