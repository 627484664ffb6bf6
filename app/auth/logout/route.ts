import { logout } from "@/lib/auth/sessions";
import { route } from "@/lib/http/route";
import { parseInput } from "@/lib/validation/parse";
import { RefreshRequest } from "@/lib/validation/requests";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  POST: async (ctx) => {
    const { refresh } = parseInput(RefreshRequest, await ctx.body());
    await logout(refresh, ctx.client);
    return { body: {} };
  },
});
