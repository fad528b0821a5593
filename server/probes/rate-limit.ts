import 'server-only';
// Probes open connections to other people's servers: each TAM, each customer checking their settings,
// each tenant and each destination gets a budget per minute. The budgets live in the database, so every web process of a fleet spends the same
// ones (docs/decisions/020). A destination is the address the probe connects to, not how it was spelled:
// 127.1, 0x7f.1, 2130706433 and a name resolving to 127.0.0.1 share one budget (decision 012).
import ipaddr from 'ipaddr.js';
import { db, isPostgres } from '../db';
import { AppError } from '../app-error';
import { checkDestination, normaliseAddress, type CheckedDestination, type DestinationOptions } from '../smtp/destination-guard';
import { within } from '../smtp/smtp-client';

const WINDOW_MS = 60_000;
/** Per minute. A customer's checks spend their own (smaller) budget and their tenant's and destination's, like a TAM's. */
export const PROBE_LIMITS = { tam: 20, customer: 10, tenant: 30, destination: 12 } as const;

/** Who is probing (a TAM or a customer), for which tenant, to where. */
export type ProbeActorKey = { tam: string; customer?: never } | { customer: string; tam?: never };
export type ProbeBudgetKeys = ProbeActorKey & { tenant: string; destination: string };

class Spent extends Error {
  constructor(
    readonly kind: keyof typeof PROBE_LIMITS,
    readonly retryAfterSeconds: number,
  ) {
    super('spent');
  }
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
export async function destinationBudgetKey(host: string, port: number, options: DestinationOptions & { timeoutMs?: number; signal?: AbortSignal }): Promise<ResolvedBudgetKey> {
  try {
    const destination = await within(checkDestination(host, port, options), options.timeoutMs ?? 10_000, options.signal, 'DNS');
    return { key: addressBudgetKey(destination.address, port), destination };
  } catch {
    return { key: `${host.trim().toLowerCase().replace(/\.$/, '')}:${port}`, destination: null };
  }
}

/**
 * Throws RATE_LIMITED (429 with Retry-After) when any budget is spent; otherwise counts the probe against
 * all three (the person's, the tenant's, the destination's). One transaction: each key is counted by one
 * upsert that starts a new window when the old one is over; when a budget is spent the transaction rolls
 * back, so a refused probe costs no budget. Keys are always taken in the same order (person, tenant,
 * destination), so two transactions never wait on each other in a cycle.
 */
export async function takeProbeBudget(keys: ProbeBudgetKeys, now = Date.now()): Promise<void> {
  const kinds = (Object.keys(PROBE_LIMITS) as (keyof typeof PROBE_LIMITS)[]).filter((kind) => keys[kind] !== undefined);
  const windowOver = BigInt(now - WINDOW_MS);
  const at = BigInt(now);
  try {
    await db.$transaction(async (tx) => {
      for (const kind of kinds) {
        const key = `${kind}:${keys[kind]}`;
        const rows = await tx.$queryRaw<{ count: number | bigint; windowStartMs: number | bigint | string }[]>`
          INSERT INTO "RateBudget" ("key", "windowStartMs", "count") VALUES (${key}, CAST(${at} AS BIGINT), 1)
          ON CONFLICT ("key") DO UPDATE SET
            "count" = CASE WHEN "RateBudget"."windowStartMs" <= CAST(${windowOver} AS BIGINT) THEN 1 ELSE "RateBudget"."count" + 1 END,
            "windowStartMs" = CASE WHEN "RateBudget"."windowStartMs" <= CAST(${windowOver} AS BIGINT) THEN CAST(${at} AS BIGINT) ELSE "RateBudget"."windowStartMs" END
          RETURNING "count", "windowStartMs"`;
        const row = rows[0]!;
        if (Number(row.count) > PROBE_LIMITS[kind]) {
          throw new Spent(kind, Math.max(1, Math.ceil((Number(row.windowStartMs) + WINDOW_MS - now) / 1000)));
        }
      }
    });
  } catch (error) {
    if (!(error instanceof Spent)) throw error;
    const { kind, retryAfterSeconds } = error;
    throw new AppError('RATE_LIMITED', `Too many probes for this ${kind}; try again in ${retryAfterSeconds} s.`, { retryAfterSeconds });
  }
  await forgetOldWindows(now);
}

// Windows over long ago are only clutter. Outside the counting transaction, and on PostgreSQL only rows
// nobody holds (SKIP LOCKED), so clearing never waits on, or deadlocks with, a probe being counted.
async function forgetOldWindows(now: number): Promise<void> {
  const before = BigInt(now - 10 * WINDOW_MS);
  if (isPostgres) {
    await db.$executeRaw`DELETE FROM "RateBudget" WHERE "key" IN (SELECT "key" FROM "RateBudget" WHERE "windowStartMs" <= CAST(${before} AS BIGINT) FOR UPDATE SKIP LOCKED)`;
  } else {
    await db.$executeRaw`DELETE FROM "RateBudget" WHERE "windowStartMs" <= CAST(${before} AS BIGINT)`;
  }
}

/** Tests: every budget full again. */
export async function resetProbeBudgets(): Promise<void> {
  await db.rateBudget.deleteMany({});
}
