import { createAccount } from "@/lib/auth/signup";
import { issueTokens } from "@/lib/auth/sessions";
import { config } from "@/lib/config/env";
import { assertClientToken } from "@/lib/http/client-token";
import { route } from "@/lib/http/route";
import { parseInput } from "@/lib/validation/parse";
import { RegisterRequest } from "@/lib/validation/requests";

const failure = { tokens: {} };

// VASITUM's register: tokens at once, the account unverified until the e-mailed code is entered.
export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  POST: async (ctx) => {
    assertClientToken(ctx.request.headers);
    const { email, password } = parseInput(RegisterRequest, await ctx.body());
    const { user, code } = await createAccount({ email, password }, ctx.client, { emailTakenField: "errors" });
    const { familyId: _familyId, ...tokens } = await issueTokens(user, ctx.client);
    return { body: { tokens, ...(config().exposeOtp ? { otp: Number(code) } : {}) } };
  },
}, { failure });
