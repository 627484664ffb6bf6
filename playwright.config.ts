import { defineConfig, devices } from "@playwright/test";

/**
 * Browser tests: Debian's Chromium against the production build (`npx next build` first), a real
 * SMTP sink, a stand-in OpenID issuer for Google, and a fresh SQLite database, all started by
 * e2e/browser/global-setup.ts. The global setup runs before the workers start, so the URLs it
 * puts into process.env are there when each worker reads this file again (baseURL below).
 */
export default defineConfig({
  testDir: "e2e/browser",
  outputDir: "test-results",
  globalSetup: "./e2e/browser/global-setup.ts",
  // One server, one mailbox, one clock: tests run one at a time (each still uses its own users).
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: process.env.CI ? [["list"]] : [["list"], ["html", { open: "never", outputFolder: "playwright-report" }]],
  use: {
    baseURL: process.env.E2E_BASE_URL,
    screenshot: "on",
    trace: "retain-on-failure",
    locale: "en-GB",
    timezoneId: "UTC",
  },
  projects: [
    {
      name: "chromium",
      use: {
        ...devices["Desktop Chrome"],
        launchOptions: {
          executablePath: "/usr/bin/chromium",
          args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        },
      },
    },
  ],
});
