import { login } from "@/lib/auth/login";
import { config } from "@/lib/config/env";
import { route } from "@/lib/http/route";
import { parseInput } from "@/lib/validation/parse";
import { LoginRequest } from "@/lib/validation/requests";

// Every failure of the merged login says so in full, whatever failed.
const failure = { is_verified: false, tokens: {} };

// The merged login of both documents.
export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  POST: async (ctx) => {
    const { email, password } = parseInput(LoginRequest, await ctx.body());
    const result = await login(email, password, ctx.client);
    const otp = config().exposeOtp && result.code ? { otp: Number(result.code) } : {};
    return {
      body: {
        success: true,
        message: "login_success",
        is_verified: result.user.verifiedAt !== null,
        tokens: result.tokens,
        user: { email: result.user.email, token: result.tokens.access_token, userid: result.user.id },
        errors: {},
        ...otp,
      },
    };
  },
}, { failure });
