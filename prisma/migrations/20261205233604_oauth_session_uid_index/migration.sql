-- DropIndex
DROP INDEX "OAuthModel_uid_idx";

-- CreateIndex
CREATE INDEX "OAuthModel_model_uid_idx" ON "OAuthModel"("model", "uid");
