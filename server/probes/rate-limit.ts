import 'server-only';
// Probes open connections to other people's servers: each TAM, each tenant and each destination gets a
// budget per minute. In-process counters: one web instance runs probes (docs/decisions/005).
// A destination is the address the probe connects to, not how it was spelled: 127.1, 0x7f.1,
// 2130706433 and a name resolving to 127.0.0.1 share one budget (issue 11, decision 012).
import ipaddr from 'ipaddr.js';
import { AppError } from '../app-error';
import { checkDestination, normaliseAddress, type CheckedDestination, type DestinationOptions } from '../smtp/destination-guard';
import { within } from '../smtp/smtp-client';

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

/** The budget key of an address and port: one spelling per address (IPv4-mapped IPv6 counts as IPv4). */
export function addressBudgetKey(address: string, port: number): string {
  const ip = normaliseAddress(ipaddr.parse(address));
  return ip.kind() === 'ipv6' ? `[${ip.toNormalizedString()}]:${port}` : `${ip.toString()}:${port}`;
}

export type ResolvedBudgetKey = { key: string; destination: CheckedDestination | null };

/**
 * Resolves host through the destination guard (the probe then connects to exactly this address) and
 * keys the budget on the address. A host the guard refuses or DNS cannot resolve keeps its spelling as
 * the key: the probe stops at its DNS step without connecting anywhere.
 */
export async function destinationBudgetKey(
  host: string,
  port: number,
  options: DestinationOptions & { timeoutMs?: number; signal?: AbortSignal },
): Promise<ResolvedBudgetKey> {
  try {
    const destination = await within(checkDestination(host, port, options), options.timeoutMs ?? 10_000, options.signal, 'DNS');
    return { key: addressBudgetKey(destination.address, port), destination };
  } catch {
    return { key: `${host.trim().toLowerCase().replace(/\.$/, '')}:${port}`, destination: null };
  }
}

export function resetProbeBudgets(): void {
  hits.clear();
}
