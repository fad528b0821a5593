import 'server-only';
// Probes open connections to other people's servers: each TAM, each tenant and each destination gets a
// budget per minute. In-process counters: one web instance runs probes (docs/decisions/005).
import { AppError } from '../app-error';

const WINDOW_MS = 60_000;
export const PROBE_LIMITS = { tam: 20, tenant: 30, destination: 12 } as const;

const hits = new Map<string, number[]>();

function recent(key: string, now: number): number[] {
  const list = (hits.get(key) ?? []).filter((t) => now - t < WINDOW_MS);
  hits.set(key, list);
  return list;
}

/** Throws RATE_LIMITED (429 with Retry-After) when any budget is spent; otherwise counts the probe. */
export function takeProbeBudget(keys: { tam: string; tenant: string; destination: string }, now = Date.now()): void {
  const entries = (Object.keys(PROBE_LIMITS) as (keyof typeof PROBE_LIMITS)[]).map((kind) => ({ kind, key: `${kind}:${keys[kind]}`, limit: PROBE_LIMITS[kind] }));
  for (const { kind, key, limit } of entries) {
    const list = recent(key, now);
    if (list.length >= limit) {
      const retryAfterSeconds = Math.max(1, Math.ceil((list[0]! + WINDOW_MS - now) / 1000));
      throw new AppError('RATE_LIMITED', `Too many probes for this ${kind}; try again in ${retryAfterSeconds} s.`, { retryAfterSeconds });
    }
  }
  for (const { key } of entries) recent(key, now).push(now);
}

export function resetProbeBudgets(): void {
  hits.clear();
}
