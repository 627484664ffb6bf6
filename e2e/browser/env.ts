/** The variables global-setup.ts sets for the tests (worker processes inherit them). */
export const ENV = {
  baseUrl: "E2E_BASE_URL",
  mailApiUrl: "E2E_MAIL_API_URL",
  databaseUrl: "E2E_DATABASE_URL",
  googleIssuerUrl: "E2E_GOOGLE_ISSUER_URL",
  googleControlUrl: "E2E_GOOGLE_CONTROL_URL",
  logFile: "E2E_APP_LOG_FILE",
  clockFile: "E2E_CLOCK_FILE",
} as const;

/** Claims of the account the stand-in Google signs in as. */
export interface GoogleIdentity {
  sub: string;
  email: string;
  name?: string;
  email_verified?: boolean;
}
