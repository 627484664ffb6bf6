import { beforeAll, describe, expect, it } from "vitest";
import { grantAdmin, signedIn } from "./admin-support";
import { baseUrl } from "./client";
import { execSql, registeredVerifiedUser, serverClock, twoFactorUser } from "./helpers";
import type { Browser } from "./oidc-support";

/**
 * The console's dashboard (/admin) and audit log (/admin/audit, and its CSV at
 * /admin/audit/export) as the server renders them: the figures, the chart, the filters in the
 * URL, the cursor's pages, bad filters in words, and who may download the file.
 */

const clock = serverClock();

/** The page's text as a reader sees it (React writes an apostrophe as &#x27;). */
const textOf = async (res: Response) => (await res.text()).replace(/&#x27;/g, "'").replace(/&amp;/g, "&").replace(/&quot;/g, '"');

/** The event types and user ids of the table's rows, in order. */
const rowsOf = (html: string) =>
  [...html.matchAll(/<tr data-event-type="([^"]+)">(.*?)<\/tr>/g)].map(([, type, row]) => ({ type, users: [...row!.matchAll(/href="\/admin\/users\/(\d+)"/g)].map(([, id]) => Number(id)) }));

/** The "Older events" link's address, as the page writes it. */
const olderLink = (html: string) => {
  const tag = /<a [^>]*rel="next"[^>]*>/.exec(html)?.[0];
  return tag ? (/href="([^"]+)"/.exec(tag)?.[1] ?? null) : null;
};

const countSignups = async () =>
  Number((await execSql<{ n: number | string }>(`SELECT COUNT(*) AS "n" FROM "AuditEvent" WHERE "type" = 'signup'`))[0]!.n);

let admin: Browser;
let someone: Awaited<ReturnType<typeof registeredVerifiedUser>>;

beforeAll(async () => {
  const user = await twoFactorUser(clock);
  await grantAdmin(user.email);
  admin = await signedIn(user, clock);
  // Someone else, signed in on the page too: a sign-up and a sign-in of theirs in the log.
  someone = await registeredVerifiedUser();
  await signedIn(someone, clock);
});

describe("the dashboard", () => {
  it("shows the last 30 days' figures, and the chart as an image with its summary and its table", async () => {
    const before = await countSignups();
    const res = await admin.get("/admin");
    const after = await countSignups();
    expect(res.status).toBe(200);
    const html = await textOf(res);
    const figure = (label: string) => Number(new RegExp(`<dt[^>]*>${label.replace(/[()]/g, "\\$&")}</dt><dd[^>]*>([\\d,]+)</dd>`).exec(html)?.[1]?.replace(/,/g, ""));
    // Every sign-up the log holds happened within the 30 days of this test run.
    expect(figure("Sign-ups")).toBeGreaterThanOrEqual(before);
    expect(figure("Sign-ups")).toBeLessThanOrEqual(after);
    for (const label of ["Confirmed e-mails", "Sign-ins", "Failed sign-ins", "Refused (too many tries)", "Accounts now"]) expect(figure(label), label).toBeGreaterThanOrEqual(0);
    expect(figure("Sign-ins")).toBeGreaterThanOrEqual(2);
    expect(figure("Accounts now")).toBeGreaterThanOrEqual(2);
    const svg = /<svg role="img" aria-label="([^"]+)"/.exec(html);
    expect(svg?.[1]).toMatch(/^Bar chart of sign-ups and sign-ins per day from .+ to .+: [\d,]+ sign-ups? and [\d,]+ sign-ins? in all/);
    // The text alternative: a row a day.
    expect(html).toContain("Show the figures as a table");
    expect([...html.matchAll(/<th scope="row"/g)]).toHaveLength(30);
  });
});

describe("the audit log page", () => {
  it("filters by type and user, in the URL", async () => {
    const res = await admin.get(`/admin/audit?type=login&user=${someone.userId}`);
    expect(res.status).toBe(200);
    const rows = rowsOf(await textOf(res));
    expect(rows.length).toBeGreaterThanOrEqual(1);
    for (const row of rows) expect(row).toEqual({ type: "login", users: [someone.userId] });

    const signups = rowsOf(await textOf(await admin.get(`/admin/audit?type=signup&user=${someone.userId}`)));
    expect(signups).toEqual([{ type: "signup", users: [someone.userId] }]);
  });

  it("pages on by the cursor in the link, and back to the newest", async () => {
    // 55 events of one moment (ties are ordered by id), copied from one of the user's own.
    for (let i = 0; i < 55; i++) {
      await execSql(`INSERT INTO "AuditEvent" ("userId", "type", "createdAt") SELECT "userId", 'paging_check', "createdAt" FROM "AuditEvent" WHERE "userId" = $1 AND "type" = 'signup'`, [someone.userId]);
    }
    const filter = `type=paging_check&user=${someone.userId}`;
    const first = await textOf(await admin.get(`/admin/audit?${filter}`));
    expect(rowsOf(first)).toHaveLength(50);
    expect(first).not.toContain("Newest events");
    const older = olderLink(first);
    expect(older).toMatch(new RegExp(`^/admin/audit\\?user=${someone.userId}&type=paging_check&cursor=[\\w-]+$`));

    const second = await textOf(await admin.get(older!));
    expect(rowsOf(second)).toHaveLength(5);
    expect(olderLink(second)).toBeNull();
    // Back to the first page: the filters without the cursor.
    expect(second).toContain(`href="/admin/audit?user=${someone.userId}&type=paging_check"`);
  });

  it("says in words what is wrong with a filter or a cursor", async () => {
    const badTime = await admin.get("/admin/audit?since=yesterday");
    expect(badTime.status).toBe(200);
    const html = await textOf(badTime);
    expect(html).toContain("“yesterday” isn't a date and time.");
    expect(html).toContain('aria-invalid="true"');
    expect(rowsOf(html)).toEqual([]);
    expect(html).toContain("Correct the filters above to see the events.");

    expect(await textOf(await admin.get("/admin/audit?user=someone"))).toContain("The user ID is a whole number, such as 42.");
    expect(await textOf(await admin.get("/admin/audit?cursor=not-a-cursor"))).toContain("That page of the log can't be found any more.");
  });
});

describe("the CSV export", () => {
  it("gives an admin the filtered rows as a CSV file", async () => {
    const res = await admin.get(`/admin/audit/export?type=login&user=${someone.userId}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toBe('attachment; filename="audit.csv"');
    const [header, ...rows] = (await res.text()).trimEnd().split("\r\n");
    expect(header).toBe("id,at,type,userid,actor,ip,user_agent,details");
    expect(rows.length).toBeGreaterThanOrEqual(1);
    for (const row of rows) expect(row).toMatch(new RegExp(`^\\d+,[^,]+Z,login,${someone.userId},`));
  });

  it("sends bad filters back to the page that words them", async () => {
    const res = await admin.get("/admin/audit/export?since=yesterday");
    expect([303, 307]).toContain(res.status);
    expect(res.headers.get("location")).toBe("/admin/audit?since=yesterday");
  });

  it("is a 404 for anyone but an admin, and sends a signed-out visitor to sign in", async () => {
    const browser = await signedIn(await registeredVerifiedUser(), clock);
    const refused = await browser.get("/admin/audit/export");
    expect(refused.status).toBe(404);
    expect(await refused.text()).not.toContain("id,at,type");

    const signedOut = await fetch(`${baseUrl()}/admin/audit/export`, { redirect: "manual" });
    expect([303, 307]).toContain(signedOut.status);
    expect(signedOut.headers.get("location")).toMatch(/\/login\?next=%2Fadmin%2Faudit$/);
  });
});
