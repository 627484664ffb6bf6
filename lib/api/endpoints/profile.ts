import { readUser, updateUser } from "@/lib/auth/profile";
import { fieldIssue, ValidationError } from "@/lib/errors";
import { BAD_REQUEST, endpoint, UNAUTHORIZED } from "../endpoint";
import { presentUser } from "../presenters";
import { READ_ONLY_USER_FIELDS, UpdateUserRequest } from "../requests";

/** A user's record: the caller's own, or any by id for an admin. */

/** Only numeric ids name users; any other single segment under /auth is an unknown endpoint. */
const userIdParam = (raw: Record<string, string>) =>
  typeof raw.user_id === "string" && /^\d{1,9}$/.test(raw.user_id) ? { userId: Number(raw.user_id) } : null;

export const me = endpoint({
  method: "GET",
  path: "/auth/me/",
  summary: "The signed-in user",
  auth: "access",
  async handle(_input, ctx) {
    return { user: presentUser(ctx.caller.user) };
  },
  success: { description: "`user`" },
  failures: [UNAUTHORIZED],
});

export const getUser = endpoint({
  method: "GET",
  path: "/auth/{user_id}/",
  summary: "Read a user (own, or any as admin)",
  auth: "access",
  params: userIdParam,
  async handle(_input, ctx) {
    return { user: presentUser(await readUser(ctx.caller, ctx.params.userId)) };
  },
  success: { description: "`user`" },
  failures: [UNAUTHORIZED, { status: 403, description: "Another user's id" }, { status: 404, description: "Unknown id" }],
});

export const putUser = endpoint({
  method: "PUT",
  path: "/auth/{user_id}/",
  summary: "Update name, mobile, date of birth",
  auth: "access",
  params: userIdParam,
  body: UpdateUserRequest,
  // Whose record this is settles 403/404 before the body can earn a 400, as DRF's get_object does.
  async precheck(ctx, body) {
    await readUser(ctx.caller, ctx.params.userId);
    const readOnly = READ_ONLY_USER_FIELDS.filter((f) => f in body);
    if (readOnly.length) throw new ValidationError(readOnly.map((f) => fieldIssue(f, "READ_ONLY")));
  },
  async handle(changes, ctx) {
    return { message: "successful_updated", user: presentUser(await updateUser(ctx.caller, ctx.params.userId, changes)) };
  },
  success: { description: "successful_updated, `user`" },
  failures: [BAD_REQUEST("Field errors; read-only fields"), UNAUTHORIZED, { status: 403, description: "Another user's id" }, { status: 404, description: "Unknown id" }],
});
