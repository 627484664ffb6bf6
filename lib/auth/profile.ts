import { findUserById, updateProfile, type UserRecord } from "@/lib/db/users";
import { AppError } from "@/lib/errors";
import { verifyAccessToken } from "@/lib/tokens/access";
import { toPublicUser, type PublicUser } from "./types";

export interface Caller {
  user: UserRecord;
  /** The refresh family the access token was issued with, when it says. */
  familyId: string | null;
}

/** The user an access token speaks for; 401 when the token is missing, invalid or the user gone. */
export async function callerFromAccessToken(token: string | null): Promise<Caller> {
  if (!token) throw new AppError("NOT_AUTHENTICATED");
  const claims = await verifyAccessToken(token);
  const user = await findUserById(claims.id);
  if (!user || user.disabledAt) throw new AppError("ACCESS_TOKEN_INVALID");
  return { user, familyId: typeof claims.sid === "string" ? claims.sid : null };
}

/** A user's record as the caller may see it: their own, or anyone's for an admin. */
async function visibleUser(caller: Caller, userId: number): Promise<UserRecord> {
  if (caller.user.id !== userId && caller.user.roleName !== "admin") throw new AppError("FORBIDDEN");
  const user = caller.user.id === userId ? caller.user : await findUserById(userId);
  if (!user) throw new AppError("NOT_FOUND");
  return user;
}

/** Throws FORBIDDEN or NOT_FOUND unless the caller may see and change `userId`. */
export async function assertMayManage(caller: Caller, userId: number): Promise<void> {
  await visibleUser(caller, userId);
}

export async function readUser(caller: Caller, userId: number): Promise<PublicUser> {
  return toPublicUser(await visibleUser(caller, userId));
}

export interface ProfileChanges {
  name?: string;
  mobile?: string;
  dob?: string;
}

export async function updateUser(caller: Caller, userId: number, changes: ProfileChanges): Promise<PublicUser> {
  const user = await visibleUser(caller, userId);
  if (Object.keys(changes).length === 0) return toPublicUser(user);
  return toPublicUser(await updateProfile(user.id, changes));
}
