import 'server-only';
import { db } from '../db';
import type { HealthProblem } from './health-problems';

// "Deliveries failing" (issue 15), a problem of the daily health check beside the probe's: the tenant's
// notifications that ended in the last 24 hours, and how many of them failed for good (dead letters:
// refused permanently, or out of retries). A problem when at least DEAD_AT_LEAST failed and they are at
// least SHARE_AT_LEAST of what ended: one dead letter in a busy day is noise, three out of four is an
// outage even when the SMTP server still answers the probe. One stable key, so the change detection says
// it once when it starts and once when it ends. Decision 026.

export const DELIVERY_WINDOW_MS = 24 * 3_600_000;
export const DEAD_AT_LEAST = 3;
export const SHARE_AT_LEAST = 0.2;
export const DELIVERIES_FAILING_KEY = 'deliveries.failing';

export type DeliveryCounts = { dead: number; delivered: number };

/** The rule alone (pure): a problem, or null. */
export function deliveriesFailingProblem({ dead, delivered }: DeliveryCounts): HealthProblem | null {
  const ended = dead + delivered;
  if (dead < DEAD_AT_LEAST || dead / ended < SHARE_AT_LEAST) return null;
  const share = Math.round((dead / ended) * 100);
  return { key: DELIVERIES_FAILING_KEY, severity: 'fail', detail: `${dead} of ${ended} notifications (${share} %) failed permanently in the last 24 hours` };
}

/** The tenant's notifications that ended within the window before `now`. */
export async function countRecentDeliveries(tenantId: string, now: Date): Promise<DeliveryCounts> {
  const window = { gt: new Date(now.getTime() - DELIVERY_WINDOW_MS), lte: now };
  const [dead, delivered] = await Promise.all([
    db.notification.count({ where: { tenantId, status: 'dead', deadAt: window } }),
    db.notification.count({ where: { tenantId, status: 'delivered', sentAt: window } }),
  ]);
  return { dead, delivered };
}

export async function checkRecentDeliveries(tenantId: string, now: Date): Promise<HealthProblem[]> {
  const problem = deliveriesFailingProblem(await countRecentDeliveries(tenantId, now));
  return problem ? [problem] : [];
}
