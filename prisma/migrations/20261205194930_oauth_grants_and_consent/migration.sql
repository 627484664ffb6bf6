-- AlterTable
ALTER TABLE "OAuthModel" ADD COLUMN     "clientId" TEXT,
ADD COLUMN     "sessionId" TEXT,
ADD COLUMN     "userId" INTEGER;

-- CreateTable
CREATE TABLE "OAuthConsent" (
    "userId" INTEGER NOT NULL,
    "clientId" TEXT NOT NULL,
    "scopes" TEXT NOT NULL,
    "claims" TEXT NOT NULL DEFAULT '',
    "resources" TEXT NOT NULL DEFAULT '{}',
    "grantedAt" TIMESTAMP(3) NOT NULL,
    "lastUsedAt" TIMESTAMP(3),

    CONSTRAINT "OAuthConsent_pkey" PRIMARY KEY ("userId","clientId")
);

-- CreateIndex
CREATE INDEX "OAuthModel_userId_clientId_idx" ON "OAuthModel"("userId", "clientId");

-- CreateIndex
CREATE INDEX "OAuthModel_sessionId_idx" ON "OAuthModel"("sessionId");

-- AddForeignKey
ALTER TABLE "OAuthModel" ADD CONSTRAINT "OAuthModel_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "OAuthConsent" ADD CONSTRAINT "OAuthConsent_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;
