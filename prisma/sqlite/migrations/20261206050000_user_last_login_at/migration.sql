-- AlterTable
ALTER TABLE "User" ADD COLUMN "lastLoginAt" DATETIME;

-- Every account's latest sign-in the audit log holds (what the console showed until now).
UPDATE "User" SET "lastLoginAt" = (SELECT MAX(e."createdAt") FROM "AuditEvent" e WHERE e."userId" = "User"."id" AND e."type" = 'login');

-- CreateIndex
CREATE INDEX "User_lastLoginAt_id_idx" ON "User"("lastLoginAt", "id");
