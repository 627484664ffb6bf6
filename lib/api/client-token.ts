import { config } from "@/lib/config/env";
import { AppError } from "@/lib/errors";
import { bearerTokenFrom } from "@/lib/http/authorization";
import { sameSecret } from "@/lib/tokens/hash";

/**
 * VASITUM's endpoints carried `Authorization: Token <client token>`. It is ignored unless
 * AUTH_CLIENT_TOKENS lists the accepted tokens; then one of them is required.
 */
export function assertClientToken(headers: Headers): void {
  const accepted = config().clientTokens;
  if (accepted.length === 0) return;
  const given = bearerTokenFrom(headers);
  if (!given || !accepted.some((t) => sameSecret(given, t))) throw new AppError("CLIENT_TOKEN_INVALID");
}
