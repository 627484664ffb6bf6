-- CreateTable
CREATE TABLE "OAuthConsent" (
    "userId" INTEGER NOT NULL,
    "clientId" TEXT NOT NULL,
    "scopes" TEXT NOT NULL,
    "claims" TEXT NOT NULL DEFAULT '',
    "resources" TEXT NOT NULL DEFAULT '{}',
    "grantedAt" DATETIME NOT NULL,
    "lastUsedAt" DATETIME,

    PRIMARY KEY ("userId", "clientId"),
    CONSTRAINT "OAuthConsent_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_OAuthModel" (
    "model" TEXT NOT NULL,
    "id" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "grantId" TEXT,
    "userCode" TEXT,
    "uid" TEXT,
    "consumedAt" DATETIME,
    "expiresAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "userId" INTEGER,
    "clientId" TEXT,
    "sessionId" TEXT,

    PRIMARY KEY ("model", "id"),
    CONSTRAINT "OAuthModel_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_OAuthModel" ("consumedAt", "createdAt", "expiresAt", "grantId", "id", "model", "payload", "uid", "userCode") SELECT "consumedAt", "createdAt", "expiresAt", "grantId", "id", "model", "payload", "uid", "userCode" FROM "OAuthModel";
DROP TABLE "OAuthModel";
ALTER TABLE "new_OAuthModel" RENAME TO "OAuthModel";
CREATE INDEX "OAuthModel_grantId_idx" ON "OAuthModel"("grantId");
CREATE INDEX "OAuthModel_uid_idx" ON "OAuthModel"("uid");
CREATE INDEX "OAuthModel_expiresAt_idx" ON "OAuthModel"("expiresAt");
CREATE INDEX "OAuthModel_userId_clientId_idx" ON "OAuthModel"("userId", "clientId");
CREATE INDEX "OAuthModel_sessionId_idx" ON "OAuthModel"("sessionId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
