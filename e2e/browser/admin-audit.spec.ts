import { readFileSync } from "node:fs";
import type { Page } from "@playwright/test";
import { expect, grantAdmin, login, photograph, test, turnOnTwoFactor } from "./fixtures";

/**
 * The console's dashboard and audit log in a browser: an admin with two-factor on reads the last
 * 30 days (figures, and the chart with its table), opens the audit log, filters it by type, sees
 * only that type, and downloads the same rows as CSV. Photographed at 390 and 1280 px, light and
 * dark, into /tmp/shots-admin-audit/ for a person to look at; axe checks each state.
 */

const SHOTS = "/tmp/shots-admin-audit";

const consoleNav = (page: Page) => page.getByRole("navigation", { name: "Admin console" });

test("an admin reads the dashboard, filters the audit log by type and downloads it as CSV", async ({ page, createUser, clock }) => {
  test.setTimeout(240_000);
  const user = await createUser();
  await login(page, user);
  const { box } = await turnOnTwoFactor(page, clock.codeFor);
  await box.getByRole("button", { name: "I have saved them" }).click();
  await grantAdmin(user.email);

  // The dashboard: the figures, the chart as one image with its summary, and its table on request.
  await page.goto("/admin");
  await expect(page.getByRole("heading", { level: 1, name: "Admin console" })).toBeVisible();
  const totals = page.getByRole("region", { name: "Last 30 days" });
  await expect(totals.getByText("Sign-ups", { exact: true })).toBeVisible();
  await expect(totals.getByText("Accounts now", { exact: true })).toBeVisible();
  const chart = page.getByRole("img", { name: /^Bar chart of sign-ups and sign-ins per day/ });
  await expect(chart).toBeVisible();
  await page.getByText("Show the figures as a table").click();
  await expect(page.getByRole("table", { name: "Sign-ups and sign-ins per day" }).getByRole("row")).toHaveCount(31);
  await photograph(page, SHOTS, "dashboard");

  // To the audit log by its section in the console's navigation.
  await consoleNav(page).getByRole("link", { name: "Audit log", exact: true }).click();
  await expect(page).toHaveURL(/\/admin\/audit$/);
  await expect(page.getByRole("heading", { level: 1, name: "Audit log" })).toBeVisible();
  await expect(consoleNav(page).getByRole("link", { name: "Audit log", exact: true })).toHaveAttribute("aria-current", "page");
  const events = page.getByRole("region", { name: "Events", exact: true }).locator("tbody tr");
  await expect(events.first()).toBeVisible();
  await photograph(page, SHOTS, "audit");

  // Filter by type: only that type is listed, and the filter is in the address.
  await page.getByLabel("Event type", { exact: true }).fill("totp_enabled");
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(/\/admin\/audit\?(.*&)?type=totp_enabled/);
  await expect(events).not.toHaveCount(0);
  // In words, with the code the filter takes beside them.
  for (const type of await events.locator("td:nth-child(2)").allInnerTexts()) expect(type.replace(/\s+/g, " ")).toBe("Two-factor turned on totp_enabled");
  await expect(page.getByLabel("Event type", { exact: true })).toHaveValue("totp_enabled");
  await photograph(page, SHOTS, "audit-filtered");

  // The same rows as a file.
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Download as CSV" }).click()]);
  expect(download.suggestedFilename()).toBe("audit.csv");
  const [header, ...rows] = readFileSync((await download.path())!, "utf8").trimEnd().split("\r\n");
  expect(header).toBe("id,at,type,userid,actor,ip,user_agent,details");
  // Every matching row, not only this page's.
  const paged = await page.getByRole("link", { name: "Older events" }).count();
  if (paged) expect(rows.length).toBeGreaterThan(await events.count());
  else expect(rows.length).toBe(await events.count());
  for (const row of rows) expect(row.split(",")[2]).toBe("totp_enabled");

  // A time that isn't one is said in words, at the field.
  await page.goto("/admin/audit?since=last%20week");
  await expect(page.getByText("“last week” isn't a date and time.", { exact: false })).toBeVisible();
  await expect(page.getByText("Correct the filters above to see the events.")).toBeVisible();
  await photograph(page, SHOTS, "audit-bad-filter");

  // Right to left (Arabic), chosen on the profile as a person does: the chart's time still runs left to right.
  await page.goto("/profile");
  await page.locator("#language-choice").selectOption("ar");
  await page.locator("section#language button[type=submit]").click();
  await expect(page).toHaveURL(/\/profile\?language=saved$/);
  for (const path of ["/admin", "/admin/audit"]) {
    await page.goto(path);
    await expect(page.locator("html")).toHaveAttribute("lang", "ar");
    await photograph(page, SHOTS, `${path === "/admin" ? "dashboard" : "audit"}-ar`);
  }
});
