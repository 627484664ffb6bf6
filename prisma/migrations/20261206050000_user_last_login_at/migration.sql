-- AlterTable
ALTER TABLE "User" ADD COLUMN     "lastLoginAt" TIMESTAMP(3);

-- Every account's latest sign-in the audit log holds (what the console showed until now).
UPDATE "User" u SET "lastLoginAt" = l."at"
FROM (SELECT "userId", MAX("createdAt") AS "at" FROM "AuditEvent" WHERE "type" = 'login' AND "userId" IS NOT NULL GROUP BY "userId") l
WHERE l."userId" = u."id";

-- CreateIndex
CREATE INDEX "User_lastLoginAt_id_idx" ON "User"("lastLoginAt", "id");
