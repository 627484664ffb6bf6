import { resendVerificationLink } from "@/lib/auth/email-verification";
import { requestPasswordReset } from "@/lib/auth/password";
import { route } from "@/lib/http/route";
import { parseInput } from "@/lib/validation/parse";
import { GenerateLinkRequest } from "@/lib/validation/requests";

// request_type 1: a new confirmation e-mail; 3: a password reset link. Same answer either way.
export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  POST: async (ctx) => {
    const { email, request_type } = parseInput(GenerateLinkRequest, await ctx.body());
    if (request_type === 1) await resendVerificationLink(email, ctx.client);
    else await requestPasswordReset(email, ctx.client);
    return { body: { message: "email_sent_successfully" } };
  },
});
