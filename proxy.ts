import { NextResponse, type NextRequest } from "next/server";

/**
 * Security headers for pages. Scripts need a per-request nonce (Next.js puts it on its own
 * scripts when it finds the policy on the request), so pages render dynamically.
 * The JSON API, health check and static files are not matched.
 */
const TOKEN_PAGES = new Set(["/confirm", "/confirm-email", "/reset-password"]);
/**
 * The OpenID provider's consent page (ADR 015): its Allow and Deny post to this site, whose answer
 * redirects to the app's redirect URI, on any origin or scheme. Browsers check form-action on every
 * redirect of a form's submission, so 'self' would block the way back to the app.
 */
const FORMS_LEAVING_THE_SITE = new Set(["/oauth/consent"]);

export function proxy(request: NextRequest) {
  const nonce = Buffer.from(crypto.randomUUID()).toString("base64");
  const dev = process.env.NODE_ENV === "development";
  const https = (process.env.APP_URL ?? "").startsWith("https://");
  const policy = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    // Inline style attributes carry no script; allowing them keeps React's style props working.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    ...(FORMS_LEAVING_THE_SITE.has(request.nextUrl.pathname) ? [] : ["form-action 'self'"]),
    "frame-ancestors 'none'",
    ...(https ? ["upgrade-insecure-requests"] : []),
  ].join("; ");

  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("x-nonce", nonce);
  requestHeaders.set("content-security-policy", policy);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set("content-security-policy", policy);
  response.headers.set("x-frame-options", "DENY");
  response.headers.set("x-content-type-options", "nosniff");
  // Links in e-mails carry secrets in the query string: never leak them in a Referer.
  response.headers.set("referrer-policy", TOKEN_PAGES.has(request.nextUrl.pathname) ? "no-referrer" : "strict-origin-when-cross-origin");
  return response;
}

export const config = {
  matcher: [
    {
      source: "/((?!auth|api|healthz|livez|readyz|metrics|\\.well-known|_next/static|_next/image|favicon.ico).*)",
      missing: [
        { type: "header", key: "next-router-prefetch" },
        { type: "header", key: "purpose", value: "prefetch" },
      ],
    },
  ],
};
