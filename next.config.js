import createNextIntlPlugin from "next-intl/plugin";

/** @type {import('next').NextConfig} */
const nextConfig = {
  // API clients POST to `/auth/login/` and do not re-send the body after a redirect: answer both
  // spellings directly (the route handlers see the same path either way).
  skipTrailingSlashRedirect: true,
  poweredByHeader: false,
  reactStrictMode: true,
  // Native and WebAssembly modules are loaded from node_modules at run time, not bundled.
  serverExternalPackages: [
    "better-sqlite3",
    "@prisma/adapter-better-sqlite3",
    "@prisma/adapter-pg",
    "@node-rs/argon2",
    "pg",
    // A Koa app with its own dependency tree (ADR 015): loaded as it is, not bundled.
    "oidc-provider",
  ],
};

// The pages' translations (lib/i18n): next-intl finds each request's language and catalog there.
export default createNextIntlPlugin("./lib/i18n/request.ts")(nextConfig);
