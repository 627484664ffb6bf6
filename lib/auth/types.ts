import type { UserRecord } from "@/lib/db/users";

/** Who is asking: used for per-address limits and the audit log. Never trusted for authorization. */
export interface RequestMeta {
  ip: string | null;
  userAgent: string | null;
}

export interface TokenPair {
  access_token: string;
  refresh: string;
}

/** A user as the contract shows one (`GET /auth/{user_id}/`). */
export interface PublicUser {
  userid: number;
  email: string;
  name: string;
  dob: string | null;
  mobile: string;
  roleid: number;
  is_verified: boolean;
}

export function toPublicUser(user: UserRecord): PublicUser {
  return {
    userid: user.id,
    email: user.email,
    name: user.name,
    dob: user.dob,
    mobile: user.mobile,
    roleid: user.roleId,
    is_verified: user.verifiedAt !== null,
  };
}
