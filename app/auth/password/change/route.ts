import { changePassword } from "@/lib/auth/password";
import { callerFromAccessToken } from "@/lib/auth/profile";
import { route } from "@/lib/http/route";
import { bearerTokenFrom } from "@/lib/tokens/access";
import { parseInput } from "@/lib/validation/parse";
import { ChangePasswordRequest } from "@/lib/validation/requests";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  POST: async (ctx) => {
    const caller = await callerFromAccessToken(bearerTokenFrom(ctx.request.headers));
    const input = parseInput(ChangePasswordRequest, await ctx.body());
    await changePassword(
      caller.user.id,
      { oldPassword: input.old_password, newPassword: input.new_password },
      { ...ctx.client, familyId: caller.familyId },
    );
    return { body: { message: "password_changed_successfully" } };
  },
});
