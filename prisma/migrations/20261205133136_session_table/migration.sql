-- The session table takes the names the code uses (RefreshFamily → Session, its "client" → "kind",
-- RefreshToken.familyId → sessionId), keeping every row: renames only.
ALTER TABLE "RefreshFamily" RENAME TO "Session";
ALTER TABLE "Session" RENAME CONSTRAINT "RefreshFamily_pkey" TO "Session_pkey";
ALTER TABLE "Session" RENAME CONSTRAINT "RefreshFamily_userId_fkey" TO "Session_userId_fkey";
ALTER INDEX "RefreshFamily_userId_idx" RENAME TO "Session_userId_idx";
ALTER TABLE "Session" RENAME COLUMN "client" TO "kind";

ALTER TABLE "RefreshToken" RENAME COLUMN "familyId" TO "sessionId";
ALTER TABLE "RefreshToken" RENAME CONSTRAINT "RefreshToken_familyId_fkey" TO "RefreshToken_sessionId_fkey";
ALTER INDEX "RefreshToken_familyId_idx" RENAME TO "RefreshToken_sessionId_idx";
