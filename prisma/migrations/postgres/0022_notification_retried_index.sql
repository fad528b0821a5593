-- GET /metrics reports the retries over all stored notifications (attempts beyond the first). It summed
-- "attempts" over the whole table at every scrape: two full scans, ~1.3 s of PostgreSQL time at 2 million
-- rows, growing with the history. This index holds only the rows sent more than once, so the sum reads
-- those alone; a row delivered at its first attempt (almost all of them) is never written to it.
CREATE INDEX IF NOT EXISTS "Notification_retried_idx" ON "Notification"("attempts") WHERE "attempts" > 1;
