import { notFound, redirect } from "next/navigation";
import { adminAccessOf } from "@/lib/admin/access";
import type { Caller } from "@/lib/auth/types";
import { requireSession } from "./session";

/** Where an admin without two-factor is sent: the profile's two-factor section, which then says why. */
export const ADMIN_NEEDS_TWO_FACTOR_PAGE = "/profile?admin=two-factor#two-factor";

/**
 * Lets `session` into the console (/admin), or not: anyone but an admin gets the 404 page (the
 * console is nobody else's business, not even that it exists); an admin without two-factor, while
 * ADMIN_REQUIRE_TWO_FACTOR holds, is sent to turn it on and sees nothing of the console before.
 */
export function admitToConsole(session: Caller): void {
  const access = adminAccessOf(session.user);
  if (access === "not_admin") notFound();
  if (access === "needs_two_factor") redirect(ADMIN_NEEDS_TWO_FACTOR_PAGE);
}

/**
 * For each console page (the layout is not rendered again on every navigation): the admin's
 * session, or sign in first and come back to `returnTo`, or admitToConsole's answer.
 */
export async function requireAdminPage(returnTo: string): Promise<Caller> {
  const session = await requireSession(returnTo);
  admitToConsole(session);
  return session;
}
