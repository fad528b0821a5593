-- Limits for the whole service live in the database (issue 13, docs/decisions/020): probe budgets per
-- TAM, tenant and destination, counted by one atomic upsert per key, so every web process shares them.
CREATE TABLE "RateBudget" (
  "key" TEXT NOT NULL PRIMARY KEY,
  "windowStartMs" BIGINT NOT NULL,
  "count" INTEGER NOT NULL
);
