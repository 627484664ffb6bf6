import { database, transaction } from "@/lib/db";
import { recordAudit } from "@/lib/db/audit";
import { findRoleByName, listRoles } from "@/lib/db/roles";
import { markDisabled, setRole, type User } from "@/lib/db/users";
import { securityEvent } from "./security-events";
import type { ClientInfo } from "./types";

/** Grants a role from the command line: how the first admin is made (later ones by an admin, lib/admin/users.ts). */
export async function grantRole(email: string, roleName: string): Promise<User> {
  const role = await findRoleByName(database, roleName);
  if (!role) {
    const names = (await listRoles(database)).map((r) => r.name).join(", ");
    throw new Error(`Unknown role "${roleName}". Roles: ${names}`);
  }
  return transaction(async (tx) => {
    const user = await setRole(tx, email.trim().toLowerCase(), role.id);
    if (!user) throw new Error(`No user with the e-mail ${email}`);
    await recordAudit(tx, { type: "role_granted", userId: user.id, detail: { role: role.name, via: "cli" } });
    return user;
  });
}

/**
 * Disables an account: no door gives it tokens again, and everything it holds ends (sessions, open
 * links, second steps: lib/auth/security-events.ts). False when it already was disabled.
 */
export async function disableAccount(user: User, client: ClientInfo): Promise<boolean> {
  return securityEvent("account_disabled", { user, client }, (tx) => markDisabled(tx, user.id));
}
