-- Only the events an admin made are indexed by actor: an index of the others' nulls took an entry
-- from every sign-in.

-- DropIndex
DROP INDEX "AuditEvent_actorId_createdAt_idx";

-- CreateIndex
CREATE INDEX "AuditEvent_actorId_createdAt_idx" ON "AuditEvent"("actorId", "createdAt") WHERE ("actorId" IS NOT NULL);
