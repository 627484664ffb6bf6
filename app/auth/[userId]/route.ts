import { assertMayManage, callerFromAccessToken, readUser, updateUser } from "@/lib/auth/profile";
import { FieldErrors, messageFor } from "@/lib/errors";
import { route, type RouteContext } from "@/lib/http/route";
import { bearerTokenFrom } from "@/lib/tokens/access";
import { parseInput } from "@/lib/validation/parse";
import { READ_ONLY_USER_FIELDS, UpdateUserRequest } from "@/lib/validation/requests";

type Params = { userId: string };

// Only numeric ids name users; any other single segment under /auth is an unknown endpoint.
const isUserId = (params: Params) => /^\d{1,9}$/.test(params.userId);
const userIdOf = (ctx: RouteContext<Params>) => Number(ctx.params.userId);

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route<Params>({
  GET: async (ctx) => {
    const userId = userIdOf(ctx);
    const caller = await callerFromAccessToken(bearerTokenFrom(ctx.request.headers));
    return { body: { user: await readUser(caller, userId) } };
  },
  PUT: async (ctx) => {
    const userId = userIdOf(ctx);
    const caller = await callerFromAccessToken(bearerTokenFrom(ctx.request.headers));
    // Whose record this is settles 403/404 before the body can earn a 400, as DRF's get_object does.
    await assertMayManage(caller, userId);
    const body = await ctx.body();
    const readOnly = READ_ONLY_USER_FIELDS.filter((f) => f in body);
    if (readOnly.length) throw new FieldErrors(Object.fromEntries(readOnly.map((f) => [f, [messageFor("READ_ONLY")]])));
    const changes = parseInput(UpdateUserRequest, body);
    return { body: { message: "successful_updated", user: await updateUser(caller, userId, changes) } };
  },
}, { exists: isUserId });
