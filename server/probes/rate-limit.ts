import 'server-only';
// Probes open connections to other people's servers: each TAM, each tenant and each destination (the
// resolved address and port) gets a budget per minute. The budgets live in the database, so every web
// process of a fleet spends the same ones (docs/decisions/020).
import { promises as dns } from 'node:dns';
import ipaddr from 'ipaddr.js';
import { db, isPostgres } from '../db';
import { AppError } from '../app-error';
import { normaliseAddress } from '../smtp/destination-guard';

const WINDOW_MS = 60_000;
export const PROBE_LIMITS = { tam: 20, tenant: 30, destination: 12 } as const;

export type ProbeBudgetKeys = { tam: string; tenant: string; destination: string };

class Spent extends Error {
  constructor(
    readonly kind: keyof typeof PROBE_LIMITS,
    readonly retryAfterSeconds: number,
  ) {
    super('spent');
  }
}

const LOOKUP_TIMEOUT_MS = 5_000;

/**
 * The destination budget's key: the address the probe will connect to (the first the name resolves to,
 * as the destination guard picks it) and the port — so many names for one server share one budget. When
 * the name does not resolve (the probe will then stop at its DNS step), the name itself.
 */
export async function destinationKey(host: string, port: number, lookup: (host: string) => Promise<{ address: string }[]> = osLookup): Promise<string> {
  const name = host.trim().replace(/^\[|\]$/g, '').replace(/\.$/, '').toLowerCase();
  let address: string | undefined;
  if (ipaddr.isValid(name)) address = name;
  else {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('DNS timeout')), LOOKUP_TIMEOUT_MS)));
    address = await Promise.race([lookup(name), timeout]).then((found) => found[0]?.address, () => undefined).finally(() => clearTimeout(timer));
  }
  if (!address || !ipaddr.isValid(address)) return `${name}:${port}`;
  const ip = normaliseAddress(ipaddr.parse(address));
  return ip.kind() === 'ipv6' ? `[${ip.toNormalizedString()}]:${port}` : `${ip.toString()}:${port}`;
}

function osLookup(host: string): Promise<{ address: string }[]> {
  return dns.lookup(host, { all: true, verbatim: true });
}

/**
 * Throws RATE_LIMITED (429 with Retry-After) when any budget is spent; otherwise counts the probe against
 * all three. One transaction: each key is counted by one upsert that starts a new window when the old one
 * is over; when a budget is spent the transaction rolls back, so a refused probe costs no budget. Keys are
 * always taken in the same order (TAM, tenant, destination), so two transactions never wait on each other
 * in a cycle.
 */
export async function takeProbeBudget(keys: ProbeBudgetKeys, now = Date.now()): Promise<void> {
  const kinds = Object.keys(PROBE_LIMITS) as (keyof typeof PROBE_LIMITS)[];
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
