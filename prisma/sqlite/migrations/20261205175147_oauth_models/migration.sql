-- CreateTable
CREATE TABLE "OAuthModel" (
    "model" TEXT NOT NULL,
    "id" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "grantId" TEXT,
    "userCode" TEXT,
    "uid" TEXT,
    "consumedAt" DATETIME,
    "expiresAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("model", "id")
);

-- CreateIndex
CREATE INDEX "OAuthModel_grantId_idx" ON "OAuthModel"("grantId");

-- CreateIndex
CREATE INDEX "OAuthModel_uid_idx" ON "OAuthModel"("uid");

-- CreateIndex
CREATE INDEX "OAuthModel_expiresAt_idx" ON "OAuthModel"("expiresAt");
