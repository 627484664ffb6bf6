-- The console's filters for disabled accounts and two-factor ones read only those: the indexes
-- hold only those, so a sign-in's update of the row writes no entry in them for anyone else.

-- DropIndex
DROP INDEX "User_disabledAt_idx";

-- DropIndex
DROP INDEX "User_totpEnabledAt_idx";

-- CreateIndex
CREATE INDEX "User_disabledAt_idx" ON "User"("disabledAt") WHERE ("disabledAt" IS NOT NULL);

-- CreateIndex
CREATE INDEX "User_totpEnabledAt_idx" ON "User"("totpEnabledAt") WHERE ("totpEnabledAt" IS NOT NULL);
