import { registerWithGoogle } from "@/lib/auth/google";
import { assertClientToken } from "@/lib/http/client-token";
import { route } from "@/lib/http/route";
import { parseInput } from "@/lib/validation/parse";
import { GoogleTokenRequest } from "@/lib/validation/requests";

// VASITUM's Google register: a Google id_token in, a new verified account's tokens out.
const failure = { tokens: {} };

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  POST: async (ctx) => {
    assertClientToken(ctx.request.headers);
    const { auth_token } = parseInput(GoogleTokenRequest, await ctx.body());
    const tokens = await registerWithGoogle(auth_token, ctx.client);
    return { body: { tokens } };
  },
}, { failure });
