import { db } from "./client";

export interface RoleRecord {
  id: number;
  name: string;
  selfAssignable: boolean;
  isDefault: boolean;
}

// Roles are seeded by migration and change only with a new migration: read them once.
let cache: Promise<RoleRecord[]> | undefined;

export function listRoles(): Promise<RoleRecord[]> {
  cache ??= db()
    .role.findMany({ orderBy: { id: "asc" } })
    .catch((error: unknown) => {
      cache = undefined;
      throw error;
    });
  return cache;
}

export async function findRoleByName(name: string): Promise<RoleRecord | undefined> {
  return (await listRoles()).find((r) => r.name === name);
}

/** The role of a new account that chose none. */
export async function defaultRole(): Promise<RoleRecord> {
  const role = (await listRoles()).find((r) => r.isDefault);
  if (!role) throw new Error("no default role is seeded");
  return role;
}
