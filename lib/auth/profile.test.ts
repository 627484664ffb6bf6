import { describe, expect, it } from "vitest";
import { appError, appSession, failure, setUpAuthTests, verifiedUser } from "./testing";

setUpAuthTests();

const { database } = await import("@/lib/db");
const { findUserById } = await import("@/lib/db/users");
const { setLanguage } = await import("./profile");

describe("the account's language", () => {
  it("is the browser's until one is chosen, then the chosen one, then the browser's again", async () => {
    const { user } = await verifiedUser("language");
    const { caller } = await appSession(user);
    expect(user.locale).toBeNull();

    expect((await setLanguage(caller, "ar")).locale).toBe("ar");
    expect((await findUserById(database, user.id))?.locale).toBe("ar");

    expect((await setLanguage(caller, null)).locale).toBeNull();
    expect((await findUserById(database, user.id))?.locale).toBeNull();
  });

  it("refuses a language the pages do not speak, as an error of its field, and keeps the one chosen", async () => {
    const { user } = await verifiedUser("language");
    const { caller } = await appSession(user);
    await setLanguage(caller, "de");

    for (const unknown of ["xx", "de-DE", "EN", ""]) {
      expect(await failure(setLanguage(caller, unknown))).toMatchObject(appError("VALIDATION", "locale"));
    }
    expect((await findUserById(database, user.id))?.locale).toBe("de");
  });
});
