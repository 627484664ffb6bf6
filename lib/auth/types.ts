import type { UserRecord } from "@/lib/db/users";
import type { SessionProof } from "./proof";

export type { UserRecord as User } from "@/lib/db/users";

/** Who is asking: for per-address limits, the audit log and notices. Never trusted for authorization. */
export interface ClientInfo {
  /** The client's address as lib/http/client-address.ts found it; null when the server could not tell. */
  ip: string | null;
  userAgent: string | null;
}

/** What an app holds for a session: a short-lived access token and the refresh token that renews it. */
export interface Tokens {
  accessToken: string;
  refreshToken: string;
}

/** The user an authenticated request speaks for, the session it comes from, and that session's last proof. */
export interface Caller {
  user: UserRecord;
  sessionId: string;
  proof: SessionProof;
}
