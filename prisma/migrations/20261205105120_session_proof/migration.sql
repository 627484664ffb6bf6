-- AlterTable
ALTER TABLE "RefreshFamily" ADD COLUMN     "methods" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "provedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;

-- Sessions begun before this migration were last proven at their sign-in; how is not known ('').
UPDATE "RefreshFamily" SET "provedAt" = "createdAt";
