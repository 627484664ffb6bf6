import { database } from "@/lib/db";
import { findUserById, updateProfile, type User } from "@/lib/db/users";
import { AppError, fieldIssue, ValidationError } from "@/lib/errors";
import { isLocale } from "@/lib/i18n/locales";
import type { Caller } from "./types";

/** A user's record as the caller may see it: their own, or anyone's for an admin. */
export async function readUser(caller: Caller, userId: number): Promise<User> {
  if (caller.user.id !== userId && caller.user.roleName !== "admin") throw new AppError("FORBIDDEN");
  const user = caller.user.id === userId ? caller.user : await findUserById(database, userId);
  if (!user) throw new AppError("NOT_FOUND");
  return user;
}

export interface ProfileChanges {
  name?: string;
  mobile?: string;
  dob?: string;
}

export async function updateUser(caller: Caller, userId: number, changes: ProfileChanges): Promise<User> {
  const user = await readUser(caller, userId);
  if (Object.keys(changes).length === 0) return user;
  return updateProfile(database, user.id, changes);
}

/**
 * The language the pages (and the mail) speak to the caller: one of LOCALES, or null for the
 * browser's own (Accept-Language). Not part of the JSON API: its clients have their own languages.
 */
export async function setLanguage(caller: Caller, locale: string | null): Promise<User> {
  if (locale !== null && !isLocale(locale)) throw new ValidationError([fieldIssue("locale", "INVALID_CHOICE", { value: locale })]);
  return updateProfile(database, caller.user.id, { locale });
}
