import { errorResponse } from "@/lib/api/errors";
import { database } from "@/lib/db";
import { latestEmails } from "@/lib/db/outbox";
import { AppError } from "@/lib/errors";
import { json } from "@/lib/http/json";
import { codeAndLinkOf } from "@/lib/mail/mailbox";
import { devMailboxEnabled } from "@/lib/mail/transport";

export const dynamic = "force-dynamic";

// Development only, like /dev/mailbox: the latest mail as JSON, so the README's curl walkthrough
// can read the code and link, as fields of their own (`?to=` filters by recipient).
export async function GET(request: Request): Promise<Response> {
  if (!devMailboxEnabled()) return errorResponse(new AppError("NOT_FOUND"));
  const to = new URL(request.url).searchParams.get("to")?.toLowerCase();
  const emails = (await latestEmails(database, 50)).filter((e) => !to || e.to === to);
  const messages = emails.map(({ to, subject, text, kind, status, createdAt }) => ({
    to,
    subject,
    kind,
    status,
    createdAt,
    ...codeAndLinkOf(text),
    text,
  }));
  return json({ success: true, errors: {}, messages });
}
