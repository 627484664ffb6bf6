-- AlterTable
ALTER TABLE "AuditEvent" ADD COLUMN     "actorId" INTEGER;

-- CreateIndex
CREATE INDEX "User_roleId_idx" ON "User"("roleId");

-- CreateIndex
CREATE INDEX "User_verifiedAt_idx" ON "User"("verifiedAt");

-- CreateIndex
CREATE INDEX "User_disabledAt_idx" ON "User"("disabledAt");

-- CreateIndex
CREATE INDEX "User_totpEnabledAt_idx" ON "User"("totpEnabledAt");

-- CreateIndex
CREATE INDEX "AuditEvent_actorId_createdAt_idx" ON "AuditEvent"("actorId", "createdAt");

-- CreateIndex
CREATE INDEX "AuditEvent_createdAt_idx" ON "AuditEvent"("createdAt");

-- The console's search: a case-insensitive substring of the e-mail or the name (ADR 016). Trigram
-- indexes on expressions, which the data model cannot declare (and Prisma leaves alone).
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX "User_email_trgm_idx" ON "User" USING GIN (lower("email") gin_trgm_ops);
CREATE INDEX "User_name_trgm_idx" ON "User" USING GIN (lower("name") gin_trgm_ops);
