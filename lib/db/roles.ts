import { query, sql, type Tx } from "./sql";

export interface RoleRecord {
  id: number;
  name: string;
  selfAssignable: boolean;
  isDefault: boolean;
}

// Roles are seeded by migration and change only with a new migration: read them once.
let cache: Promise<RoleRecord[]> | undefined;

export function listRoles(tx: Tx): Promise<RoleRecord[]> {
  cache ??= query<RoleRecord>(tx, sql`SELECT "id", "name", "selfAssignable", "isDefault" FROM "Role" ORDER BY "id"`)
    // SQLite keeps booleans as 0 and 1.
    .then((rows) => rows.map((r) => ({ ...r, selfAssignable: Boolean(r.selfAssignable), isDefault: Boolean(r.isDefault) })))
    .catch((error: unknown) => {
      cache = undefined;
      throw error;
    });
  return cache;
}

export async function findRoleByName(tx: Tx, name: string): Promise<RoleRecord | undefined> {
  return (await listRoles(tx)).find((r) => r.name === name);
}

/** The role of a new account that chose none. */
export async function defaultRole(tx: Tx): Promise<RoleRecord> {
  const role = (await listRoles(tx)).find((r) => r.isDefault);
  if (!role) throw new Error("no default role is seeded");
  return role;
}

/** The name of role `id`; a role the cached list does not know yet (a migration since) reloads it once. */
export async function roleName(tx: Tx, id: number): Promise<string> {
  let role = (await listRoles(tx)).find((r) => r.id === id);
  if (!role) {
    cache = undefined;
    role = (await listRoles(tx)).find((r) => r.id === id);
  }
  if (!role) throw new Error(`user has unknown role ${id}`);
  return role.name;
}
