-- Every audit filter is an equality on an indexed column plus a range of seq (server/audit/audit-query.ts):
-- a tenant's events of one action, one user's events (signed in or through a token), other actors by
-- their label, and the time index that turns a time range into a seq range (event times never decrease
-- along the chain).
CREATE INDEX "AuditEvent_tenantId_action_seq_idx" ON "AuditEvent"("tenantId", "action", "seq");
CREATE INDEX "AuditEvent_actorId_seq_idx" ON "AuditEvent"("actorId", "seq");
CREATE INDEX "AuditEvent_actorLabel_seq_idx" ON "AuditEvent"("actorLabel", "seq");
CREATE INDEX "AuditEvent_at_seq_idx" ON "AuditEvent"("at", "seq");
