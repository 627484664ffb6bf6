import { endSessionOfRefreshToken, refreshSession } from "@/lib/auth/sessions";
import { BAD_REQUEST, endpoint, RATE_LIMITED } from "../endpoint";
import { presentTokens } from "../presenters";
import { RefreshRequest } from "../requests";

/** A session's refresh token: rotating it and ending the session. */

export const refresh = endpoint({
  method: "POST",
  path: "/auth/token/refresh/",
  summary: "Rotate a refresh token",
  auth: "none",
  body: RefreshRequest,
  async handle({ refresh }, ctx) {
    return { tokens: presentTokens(await refreshSession(refresh, ctx.client)) };
  },
  success: { description: "`tokens` (a token used again within REFRESH_REUSE_INTERVAL_SECONDS gets a pair too)" },
  failures: [{ status: 401, description: "errors.refresh: invalid, expired or reused (reuse ends the session)" }, RATE_LIMITED],
});

export const logout = endpoint({
  method: "POST",
  path: "/auth/logout/",
  summary: "End the session of a refresh token",
  auth: "none",
  body: RefreshRequest,
  async handle({ refresh }, ctx) {
    await endSessionOfRefreshToken(refresh, ctx.client);
    return {};
  },
  success: { description: "Ended (also for unknown tokens)" },
  failures: [BAD_REQUEST("Field errors")],
});
