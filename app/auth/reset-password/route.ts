import { resetPassword } from "@/lib/auth/password";
import { route } from "@/lib/http/route";
import { bearerTokenFrom } from "@/lib/tokens/access";
import { parseInput } from "@/lib/validation/parse";
import { ResetPasswordRequest } from "@/lib/validation/requests";

// The reset link's token arrives as `Authorization: Token <token>`.
export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  POST: async (ctx) => {
    const { password } = parseInput(ResetPasswordRequest, await ctx.body());
    await resetPassword(bearerTokenFrom(ctx.request.headers), password, ctx.client);
    return { body: { message: "reset_password_successfully" } };
  },
});
