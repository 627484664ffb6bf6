import { resendCode } from "@/lib/auth/email-verification";
import { config } from "@/lib/config/env";
import { assertClientToken } from "@/lib/http/client-token";
import { route } from "@/lib/http/route";
import { parseInput } from "@/lib/validation/parse";
import { EmailOnlyRequest } from "@/lib/validation/requests";

const failure = { otp: 0 };

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  POST: async (ctx) => {
    assertClientToken(ctx.request.headers);
    const { email } = parseInput(EmailOnlyRequest, await ctx.body());
    const { code } = await resendCode(email, ctx.client);
    return { body: config().exposeOtp ? { otp: Number(code) } : {} };
  },
}, { failure });
