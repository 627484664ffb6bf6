-- CreateTable
CREATE TABLE "AuditDayCount" (
    "day" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "AuditDayCount_pkey" PRIMARY KEY ("day","type")
);
