import { callerFromAccessToken, readUser } from "@/lib/auth/profile";
import { route } from "@/lib/http/route";
import { bearerTokenFrom } from "@/lib/tokens/access";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  GET: async (ctx) => {
    const caller = await callerFromAccessToken(bearerTokenFrom(ctx.request.headers));
    return { body: { user: await readUser(caller, caller.user.id) } };
  },
});
