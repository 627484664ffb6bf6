import { config } from "@/lib/config/env";
import { latestEmails } from "@/lib/db/outbox";
import { AppError } from "@/lib/errors";
import { route } from "@/lib/http/route";

export const dynamic = "force-dynamic";

// Development only, like /dev/mailbox: the latest mail as JSON, so the README's curl walkthrough
// can read the code and link (`?to=` filters by recipient).
export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  GET: async (ctx) => {
    if (config().isProduction) throw new AppError("NOT_FOUND");
    const to = new URL(ctx.request.url).searchParams.get("to")?.toLowerCase();
    const emails = (await latestEmails(50)).filter((e) => !to || e.to === to);
    return { body: { messages: emails.map(({ to, subject, text, kind, status, createdAt }) => ({ to, subject, kind, status, createdAt, text })) } };
  },
});
