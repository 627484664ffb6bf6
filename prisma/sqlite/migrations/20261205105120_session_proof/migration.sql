-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_RefreshFamily" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "userId" INTEGER NOT NULL,
    "client" TEXT NOT NULL DEFAULT 'api',
    "userAgent" TEXT,
    "ip" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revokedAt" DATETIME,
    "revokeReason" TEXT,
    "methods" TEXT NOT NULL DEFAULT '',
    "provedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "RefreshFamily_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
-- Sessions begun before this migration were last proven at their sign-in; how is not known ('').
INSERT INTO "new_RefreshFamily" ("client", "createdAt", "id", "ip", "lastUsedAt", "revokeReason", "revokedAt", "userAgent", "userId", "provedAt") SELECT "client", "createdAt", "id", "ip", "lastUsedAt", "revokeReason", "revokedAt", "userAgent", "userId", "createdAt" FROM "RefreshFamily";
DROP TABLE "RefreshFamily";
ALTER TABLE "new_RefreshFamily" RENAME TO "RefreshFamily";
CREATE INDEX "RefreshFamily_userId_idx" ON "RefreshFamily"("userId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
