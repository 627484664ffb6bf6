import { config } from "@/lib/config/env";
import type { User } from "@/lib/db/users";
import { AppError } from "@/lib/errors";

/**
 * Who may use the operator's console (the admin API and /admin): users with the `admin` role, and
 * only with two-factor on while ADMIN_REQUIRE_TWO_FACTOR holds (the default): an admin account is
 * the one worth stealing, so a password alone must not open it.
 */
export type AdminAccess = "admin" | "needs_two_factor" | "not_admin";

export function adminAccessOf(
  user: Pick<User, "roleName" | "totpEnabledAt">,
  requireTwoFactor: boolean = config().adminRequireTwoFactor,
): AdminAccess {
  if (user.roleName !== "admin") return "not_admin";
  if (requireTwoFactor && !user.totpEnabledAt) return "needs_two_factor";
  return "admin";
}

/** For the admin API: FORBIDDEN (403) unless `user` is an admin who may act now. */
export function requireAdmin(user: Pick<User, "roleName" | "totpEnabledAt">): void {
  if (adminAccessOf(user) !== "admin") throw new AppError("FORBIDDEN");
}
