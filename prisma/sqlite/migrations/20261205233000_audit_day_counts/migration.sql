-- CreateTable
CREATE TABLE "AuditDayCount" (
    "day" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 0,

    PRIMARY KEY ("day", "type")
);
