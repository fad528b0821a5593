-- A fleet of workers (issue 13): the per-tenant delivery limits hold for all workers together. A worker
-- opens connections to a tenant's server only under slot leases (slot < maxConnections), renewed while
-- its pool lives and released when it closes; each message is counted in its clock minute first.
CREATE TABLE "TenantSendSlot" (
    "tenantId" TEXT NOT NULL,
    "slot" INTEGER NOT NULL,
    "owner" TEXT,
    "leaseUntil" TIMESTAMP(3),
    CONSTRAINT "TenantSendSlot_pkey" PRIMARY KEY ("tenantId", "slot")
);
CREATE TABLE "TenantSendMinute" (
    "tenantId" TEXT NOT NULL,
    "minute" INTEGER NOT NULL,
    "sent" INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT "TenantSendMinute_pkey" PRIMARY KEY ("tenantId", "minute")
);
