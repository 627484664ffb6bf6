import { confirmLink } from "@/lib/auth/email-verification";
import { route } from "@/lib/http/route";
import { bearerTokenFrom } from "@/lib/tokens/access";

// The Django confirmation link's token arrives as `Authorization: Token <token>`.
export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  POST: async (ctx) => {
    // No fields, but the body rules (JSON or form, 64 KiB) hold here as on every endpoint.
    await ctx.body();
    await confirmLink(bearerTokenFrom(ctx.request.headers), ctx.client);
    return { body: { message: "user confirmed and active" } };
  },
});
