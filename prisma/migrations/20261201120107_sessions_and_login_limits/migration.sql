/*
  Warnings:

  - You are about to drop the column `failedLoginCount` on the `User` table. All the data in the column will be lost.
  - You are about to drop the column `lastFailedLoginAt` on the `User` table. All the data in the column will be lost.
  - You are about to drop the column `sessionsValidFrom` on the `User` table. All the data in the column will be lost.

*/
-- AlterTable
ALTER TABLE "RateLimit" ADD COLUMN     "lastHitAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;

-- AlterTable
ALTER TABLE "User" DROP COLUMN "failedLoginCount",
DROP COLUMN "lastFailedLoginAt",
DROP COLUMN "sessionsValidFrom";
