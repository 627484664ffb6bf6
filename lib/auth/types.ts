import type { User } from "@/lib/db/users";
import type { SessionProof } from "./proof";

export type { User } from "@/lib/db/users";

export type { ClientInfo } from "@/lib/http/client-address";

/** What an app holds for a session: a short-lived access token and the refresh token that renews it. */
export interface Tokens {
  accessToken: string;
  refreshToken: string;
}

/** The user an authenticated request speaks for, the session it comes from, and that session's last proof. */
export interface Caller {
  user: User;
  sessionId: string;
  proof: SessionProof;
}
