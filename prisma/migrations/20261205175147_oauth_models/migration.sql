-- CreateTable
CREATE TABLE "OAuthModel" (
    "model" TEXT NOT NULL,
    "id" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "grantId" TEXT,
    "userCode" TEXT,
    "uid" TEXT,
    "consumedAt" TIMESTAMP(3),
    "expiresAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "OAuthModel_pkey" PRIMARY KEY ("model","id")
);

-- CreateIndex
CREATE INDEX "OAuthModel_grantId_idx" ON "OAuthModel"("grantId");

-- CreateIndex
CREATE INDEX "OAuthModel_uid_idx" ON "OAuthModel"("uid");

-- CreateIndex
CREATE INDEX "OAuthModel_expiresAt_idx" ON "OAuthModel"("expiresAt");
