import { verifyCode } from "@/lib/auth/email-verification";
import { config } from "@/lib/config/env";
import { route } from "@/lib/http/route";
import { parseInput } from "@/lib/validation/parse";
import { verifyOtpRequest } from "@/lib/validation/requests";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  POST: async (ctx) => {
    const { email, otp } = parseInput(verifyOtpRequest(config().otpLength), await ctx.body());
    const tokens = await verifyCode(email, otp, ctx.client);
    return { body: { is_verified: true, tokens } };
  },
});
