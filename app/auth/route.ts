import { createAccount } from "@/lib/auth/signup";
import { route } from "@/lib/http/route";
import { parseInput } from "@/lib/validation/parse";
import { SignUpRequest } from "@/lib/validation/requests";

// Sign up (the Django service's `POST /auth/`): 201, and the verification e-mail goes out.
export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  POST: async (ctx) => {
    const input = parseInput(SignUpRequest, await ctx.body());
    const { user } = await createAccount(
      { email: input.email, password: input.password, name: input.name, dob: input.dob, mobile: input.mobile, roleId: input.roleid },
      ctx.client,
      { emailTakenField: "email" },
    );
    return { status: 201, body: { message: "sign up successfull & confirmation mail has been sent", userid: user.id } };
  },
});
