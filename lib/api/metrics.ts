import { oldestPendingAgeSeconds, pendingCount } from "@/lib/db/outbox";
import { database } from "@/lib/db";
import { gaugeOnScrape, metrics } from "@/lib/metrics";

/** The metrics document, with the outbox's depth and age read now. */
export async function scrapeMetrics(): Promise<string> {
  gaugeOnScrape("auth_mail_outbox_pending", "Mails waiting in the outbox", () => pendingCount(database));
  gaugeOnScrape("auth_mail_outbox_oldest_pending_age_seconds", "How long the oldest waiting mail has waited", () => oldestPendingAgeSeconds(database));
  return metrics().registry.metrics();
}

export const metricsContentType = () => metrics().registry.contentType;
