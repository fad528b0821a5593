import 'server-only';
// Prometheus metrics (GET /metrics). What describes the whole service (queues, outcomes, pauses) is read
// from the database at scrape time, so every web process of a fleet answers the same; what happens in
// this process (intake, probe steps, memory) is counted here, labelled by nothing but itself.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { db } from '../db';

type Metrics = { registry: Registry; intake: Counter<'outcome'>; probeSteps: Histogram<'step' | 'outcome'>; tokens: Counter<'provider' | 'outcome'> };

const state = globalThis as { relaydeskMetrics?: Metrics };

export function metrics(): Metrics {
  state.relaydeskMetrics ??= createMetrics();
  return state.relaydeskMetrics;
}

function pendingByTenant() {
  return db.notification.groupBy({ by: ['tenantId'], where: { status: { in: ['queued', 'retrying'] } }, _count: { _all: true }, _min: { createdAt: true } });
}

/**
 * Attempts beyond the first, summed over the rows sent more than once. Through the partial index
 * "Notification_retried_idx" (migration 0022), which holds those rows only: the cost follows the retried
 * rows, not the whole history. The literal 1 (not a parameter) matches the index's WHERE in any plan.
 */
export async function retriesStored(): Promise<number> {
  const [row] = await db.$queryRawUnsafe<{ retries: number | bigint | null }[]>(`SELECT SUM("attempts" - 1) AS "retries" FROM "Notification" WHERE "attempts" > 1`);
  return Number(row?.retries ?? 0);
}

function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'relaydesk_' });
  const slugs = new Map<string, string>();
  const slugOf = async (tenantIds: string[]) => {
    const missing = tenantIds.filter((id) => !slugs.has(id));
    if (missing.length > 0) for (const t of await db.tenant.findMany({ where: { id: { in: missing } }, select: { id: true, slug: true } })) slugs.set(t.id, t.slug);
    return (id: string) => slugs.get(id) ?? id;
  };

  // Both read the pending rows through the partial pending index; one query, shared by the two gauges of a scrape.
  let pending: { at: number; groups: ReturnType<typeof pendingByTenant> } | null = null;
  const pendingNow = () => {
    if (!pending || Date.now() - pending.at > 500) pending = { at: Date.now(), groups: pendingByTenant() };
    return pending.groups;
  };
  new Gauge({
    name: 'relaydesk_queue_depth',
    help: 'Notifications waiting to be sent (queued or retrying), per tenant',
    labelNames: ['tenant'],
    registers: [registry],
    async collect() {
      const groups = await pendingNow();
      const slug = await slugOf(groups.map((g) => g.tenantId));
      this.reset();
      for (const g of groups) this.set({ tenant: slug(g.tenantId) }, g._count._all);
    },
  });
  new Gauge({
    name: 'relaydesk_queue_oldest_age_seconds',
    help: 'Age of the oldest notification still waiting, per tenant',
    labelNames: ['tenant'],
    registers: [registry],
    async collect() {
      const groups = await pendingNow();
      const slug = await slugOf(groups.map((g) => g.tenantId));
      this.reset();
      for (const g of groups) if (g._min.createdAt) this.set({ tenant: slug(g.tenantId) }, (Date.now() - g._min.createdAt.getTime()) / 1000);
    },
  });

  new Gauge({
    name: 'relaydesk_notifications',
    help: 'Notifications stored, by status (delivered and dead grow like counters; queued and retrying are the backlog)',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      const groups = await db.notification.groupBy({ by: ['status'], _count: { _all: true } });
      this.reset();
      for (const g of groups) this.set({ status: g.status }, g._count._all);
    },
  });
  new Gauge({
    name: 'relaydesk_delivery_retries',
    help: 'Delivery attempts beyond the first, over all stored notifications',
    registers: [registry],
    async collect() {
      this.set(await retriesStored());
    },
  });
  new Gauge({
    name: 'relaydesk_tenants_paused',
    help: 'Tenants whose pipeline is paused',
    registers: [registry],
    async collect() {
      this.set(await db.tenantPipeline.count({ where: { paused: true } }));
    },
  });

  return {
    registry,
    intake: new Counter({
      name: 'relaydesk_intake_notifications_total',
      help: 'Notifications taken in by this process, by outcome (stored, repeated key)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    probeSteps: new Histogram({
      name: 'relaydesk_probe_step_seconds',
      help: 'Live-check steps run by this process, by step and outcome',
      labelNames: ['step', 'outcome'],
      buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    tokens: new Counter({
      name: 'relaydesk_oauth_token_requests_total',
      help: 'OAuth token requests made by this process, by provider and outcome',
      labelNames: ['provider', 'outcome'],
      registers: [registry],
    }),
  };
}
