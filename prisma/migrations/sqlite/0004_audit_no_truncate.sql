-- SQLite has no TRUNCATE (DELETE without WHERE is refused by AuditEvent_no_delete). Kept so both
-- databases have the same migration history.
SELECT 1;
