/*
  Warnings:

  - You are about to drop the column `failedLoginCount` on the `User` table. All the data in the column will be lost.
  - You are about to drop the column `lastFailedLoginAt` on the `User` table. All the data in the column will be lost.
  - You are about to drop the column `sessionsValidFrom` on the `User` table. All the data in the column will be lost.

*/
-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_RateLimit" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "count" INTEGER NOT NULL,
    "windowEnds" DATETIME NOT NULL,
    "lastHitAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
INSERT INTO "new_RateLimit" ("count", "key", "windowEnds") SELECT "count", "key", "windowEnds" FROM "RateLimit";
DROP TABLE "RateLimit";
ALTER TABLE "new_RateLimit" RENAME TO "RateLimit";
CREATE INDEX "RateLimit_windowEnds_idx" ON "RateLimit"("windowEnds");
CREATE TABLE "new_User" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "email" TEXT NOT NULL,
    "name" TEXT NOT NULL DEFAULT '',
    "dob" TEXT,
    "mobile" TEXT NOT NULL DEFAULT '',
    "passwordHash" TEXT,
    "verifiedAt" DATETIME,
    "disabledAt" DATETIME,
    "roleId" INTEGER NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "User_roleId_fkey" FOREIGN KEY ("roleId") REFERENCES "Role" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
INSERT INTO "new_User" ("createdAt", "disabledAt", "dob", "email", "id", "mobile", "name", "passwordHash", "roleId", "updatedAt", "verifiedAt") SELECT "createdAt", "disabledAt", "dob", "email", "id", "mobile", "name", "passwordHash", "roleId", "updatedAt", "verifiedAt" FROM "User";
DROP TABLE "User";
ALTER TABLE "new_User" RENAME TO "User";
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
