import { Badge } from "@/components/badge";
import type { AccountStatus, UserSummary } from "@/lib/admin/users";

/** An account's status as the filters name it: disabled first (it wins over verified), then verified or not. */
export const statusOf = (user: Pick<UserSummary, "disabled" | "verified">): AccountStatus =>
  user.disabled ? "disabled" : user.verified ? "verified" : "unverified";

const TONE = { verified: "green", unverified: "amber", disabled: "slate" } as const;

export function StatusBadge({ user, words }: { user: Pick<UserSummary, "disabled" | "verified">; words: (status: AccountStatus) => string }) {
  const status = statusOf(user);
  return <Badge tone={TONE[status]}>{words(status)}</Badge>;
}
