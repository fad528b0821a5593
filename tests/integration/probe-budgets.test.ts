import '../helpers/test-env';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { randomUUID } from 'node:crypto';
import { AppError } from '@/server/app-error';
import { PROBE_LIMITS, addressBudgetKey, takeProbeBudget } from '@/server/probes/rate-limit';
import { db } from '../helpers/factories';

const run = promisify(execFile);

async function childSpends(tries: number, destination: string): Promise<{ allowed: number; refused: number }> {
  const { stdout } = await run(
    process.execPath,
    ['--conditions=react-server', '--import', 'tsx', 'tests/helpers/probe-budget-child.ts', String(tries), randomUUID(), randomUUID(), destination],
    {
      env: process.env,
      timeout: 60_000,
    },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1)!);
}

test('two processes share one destination budget: together they get exactly the limit', async () => {
  const destination = `203.0.113.${Math.floor(Math.random() * 200) + 1}:587`;
  // Each process alone would stay within the budget (10 < 12); together they must not exceed it.
  const tries = PROBE_LIMITS.destination - 2;
  const [a, b] = await Promise.all([childSpends(tries, destination), childSpends(tries, destination)]);
  assert.equal(a.allowed + b.allowed, PROBE_LIMITS.destination, `allowed ${a.allowed} + ${b.allowed}`);
  assert.equal(a.refused + b.refused, 2 * tries - PROBE_LIMITS.destination);
  // And this process, a third one, finds the budget spent too.
  await assert.rejects(
    () => takeProbeBudget({ tam: randomUUID(), tenant: randomUUID(), destination }),
    (e) => e instanceof AppError && e.code === 'RATE_LIMITED',
  );
});

test('a refused probe spends nothing: the TAM budget is untouched when the tenant budget is spent', async () => {
  const tenant = randomUUID();
  const start = 5_000_000;
  for (let i = 0; i < PROBE_LIMITS.tenant; i++) await takeProbeBudget({ tam: randomUUID(), tenant, destination: `d${i}:25` }, start);
  const tam = randomUUID();
  for (let i = 0; i < 5; i++) {
    await assert.rejects(
      () => takeProbeBudget({ tam, tenant, destination: `e${i}:25` }, start + 1_000),
      (e) => e instanceof AppError && e.code === 'RATE_LIMITED' && /tenant/.test(e.message),
    );
  }
  assert.equal(await db.rateBudget.count({ where: { key: `tam:${tam}` } }), 0, 'the refused probes were not counted for the TAM');
  assert.equal(await db.rateBudget.count({ where: { key: { startsWith: 'destination:e' } } }), 0);
});

test('the destination is the address and port: spellings of one address share a budget key', () => {
  const key = addressBudgetKey('198.51.100.7', 587);
  assert.equal(key, '198.51.100.7:587');
  assert.equal(addressBudgetKey('::ffff:198.51.100.7', 587), key, 'IPv4-mapped IPv6 is the IPv4 address');
  assert.notEqual(addressBudgetKey('198.51.100.7', 25), key, 'another port is another destination');
  assert.equal(addressBudgetKey('2001:db8::1', 465), '[2001:db8:0:0:0:0:0:1]:465');
});
