-- OAuthModel's indexes that only some rows need hold only those (issue 22: every token written
-- wrote six index entries): the uid index the provider's sessions, the sessionId index the grants.

-- DropIndex
DROP INDEX "OAuthModel_model_uid_idx";

-- DropIndex
DROP INDEX "OAuthModel_sessionId_idx";

-- CreateIndex
CREATE INDEX "OAuthModel_uid_idx" ON "OAuthModel"("uid") WHERE ("model" = 'Session');

-- CreateIndex
CREATE INDEX "OAuthModel_sessionId_idx" ON "OAuthModel"("sessionId") WHERE ("sessionId" IS NOT NULL);
