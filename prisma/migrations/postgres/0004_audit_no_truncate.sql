-- TRUNCATE bypasses row triggers: refuse it too, so the trail cannot be wiped in one statement.
CREATE TRIGGER "AuditEvent_no_truncate" BEFORE TRUNCATE ON "AuditEvent"
  FOR EACH STATEMENT EXECUTE FUNCTION relaydesk_audit_append_only();
