import { confirmEmailChange, requestEmailChange } from "@/lib/auth/email-change";
import { BAD_REQUEST, endpoint, RATE_LIMITED, REAUTHENTICATE, UNAUTHORIZED, UNVERIFIED } from "../endpoint";
import { presentUser } from "../presenters";
import { ChangeEmailRequest } from "../requests";

/** Changing the e-mail address. */

export const emailChange = endpoint({
  method: "POST",
  path: "/auth/email/change/",
  summary: "Ask to change the e-mail address (a link goes to the new one)",
  auth: "access",
  body: ChangeEmailRequest,
  async handle({ new_email, password }, ctx) {
    await requestEmailChange(ctx.caller, { newEmail: new_email, password }, ctx.client);
    return { message: "email_change_link_sent" };
  },
  success: { description: "A link was sent to the new address" },
  failures: [BAD_REQUEST("errors.new_email: taken or unchanged; errors.password"), UNAUTHORIZED, RATE_LIMITED, UNVERIFIED, REAUTHENTICATE],
});

export const emailConfirm = endpoint({
  method: "POST",
  path: "/auth/email/confirm/",
  summary: "Confirm the new address with the e-mailed link's token",
  auth: "link",
  async handle(_input, ctx) {
    return { user: presentUser(await confirmEmailChange(ctx.linkToken, ctx.client)) };
  },
  success: { description: "`user`, with the new address; other sessions ended" },
  failures: [BAD_REQUEST("errors.token"), RATE_LIMITED],
});
