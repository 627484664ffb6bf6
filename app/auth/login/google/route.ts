import { loginWithGoogle } from "@/lib/auth/google";
import { assertClientToken } from "@/lib/http/client-token";
import { route } from "@/lib/http/route";
import { parseInput } from "@/lib/validation/parse";
import { GoogleTokenRequest } from "@/lib/validation/requests";

// VASITUM's Google login: the account of the id_token's Google identity, or of its verified e-mail.
const failure = { tokens: {} };

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  POST: async (ctx) => {
    assertClientToken(ctx.request.headers);
    const { auth_token } = parseInput(GoogleTokenRequest, await ctx.body());
    const tokens = await loginWithGoogle(auth_token, ctx.client);
    return { body: { tokens } };
  },
}, { failure });
