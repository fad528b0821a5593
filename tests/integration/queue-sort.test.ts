// The TAM's queue sorts by number, tenant, status (the workflow's order), server and waiting time, both
// ways, and each page follows on from the last for every sort (keyset cursors), whatever the page size.
import '../helpers/test-env';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api } from '../helpers/api';
import { db, makeTenant, makeUser, unique, validRequestBody } from '../helpers/factories';
import { assignTam } from '@/server/admin/manage-tenants';
import { SYSTEM_ACTOR } from '@/server/audit/record-event';
import { listRequests, REQUEST_SORTS, type RequestSort } from '@/server/requests/list-requests';
import { REQUEST_STATUSES } from '@/lib/smtp-request-schema';
import { AppError } from '@/server/app-error';

type Made = { id: string; number: string; tenant: string; status: string; host: string; port: number; updatedAt: Date };

async function setUp() {
  const u = unique('qs');
  // Names and hosts differ in one word, so every collation (SQLite's binary, PostgreSQL's) orders them alike.
  const names = { a: `${u} bravo`, b: `${u} alpha`, c: `${u} charlie` };
  const tenants = { a: await makeTenant(), b: await makeTenant(), c: await makeTenant() };
  const tam = await makeUser('tam');
  const admins: Record<string, { token: string }> = {};
  for (const key of ['a', 'b', 'c'] as const) {
    await db.tenant.update({ where: { id: tenants[key].id }, data: { name: names[key] } });
    await assignTam(SYSTEM_ACTOR, tam.email, tenants[key].slug);
    admins[key] = await makeUser('customer-admin', tenants[key].slug);
  }
  const host = (word: string) => `${u}-${word}.example.org`;
  // tenant, host, port, status, minutes ago (distinct, shuffled against every other key)
  const plan: [keyof typeof tenants, string, number, string, number][] = [
    ['a', 'bravo', 587, 'submitted', 50],
    ['a', 'alpha', 2525, 'in_review', 10],
    ['b', 'alpha', 587, 'needs_info', 70],
    ['b', 'charlie', 465, 'submitted', 20],
    ['c', 'alpha', 587, 'tested', 40],
    ['c', 'bravo', 25, 'applied', 60],
    ['a', 'charlie', 465, 'withdrawn', 30],
    ['b', 'alpha', 587, 'needs_info', 80],
  ];
  const now = Date.now();
  const made: Made[] = [];
  for (const [tenant, word, port, status, minutesAgo] of plan) {
    const created = await api('POST', '/api/v1/smtp-requests', { token: admins[tenant]!.token, body: validRequestBody({ host: host(word), port }) });
    assert.equal(created.status, 201);
    const { id, number } = created.body as { id: string; number: string };
    const updatedAt = new Date(now - minutesAgo * 60_000);
    await db.smtpRequest.update({ where: { id }, data: { status, updatedAt } });
    made.push({ id, number, tenant: names[tenant], status, host: host(word), port, updatedAt });
  }
  return { tam, made };
}

const rank = (status: string) => (REQUEST_STATUSES as readonly string[]).indexOf(status);
const num = (n: string) => Number(n.replace('SMTP-', ''));
const cmp = (x: string | number, y: string | number) => (x < y ? -1 : x > y ? 1 : 0);

/** The order each sort promises, written out independently of the query. */
function expected(made: Made[], order: RequestSort): string[] {
  const desc = order.endsWith('-desc') || order === 'newest' ? -1 : 1;
  const waiting = (a: Made, b: Made) => a.updatedAt.getTime() - b.updatedAt.getTime();
  const by: Record<string, (a: Made, b: Made) => number> = {
    oldest: waiting,
    newest: (a, b) => -waiting(a, b),
    number: (a, b) => desc * (num(a.number) - num(b.number)),
    tenant: (a, b) => desc * cmp(a.tenant, b.tenant) || waiting(a, b),
    status: (a, b) => desc * (rank(a.status) - rank(b.status)) || waiting(a, b),
    server: (a, b) => desc * (cmp(a.host, b.host) || a.port - b.port) || waiting(a, b),
  };
  return [...made].sort(by[order.replace('-desc', '')]!).map((r) => r.number);
}

async function walk(tam: Parameters<typeof listRequests>[0], order: RequestSort, limit: number, extra: { open?: '1' } = {}): Promise<string[]> {
  const seen: string[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 50; pages++) {
    const page = await listRequests(tam, { order, limit, cursor, ...extra });
    assert.ok(page.items.length <= limit);
    seen.push(...page.items.map((r) => r.number));
    if (!page.nextCursor) return seen;
    cursor = page.nextCursor;
  }
  throw new Error('paging did not end');
}

test('every sort, both ways, pages through the queue without a gap or a repeat', async () => {
  const { tam, made } = await setUp();
  for (const order of REQUEST_SORTS) {
    const want = expected(made, order);
    assert.deepEqual(await walk(tam, order, 100), want, `${order}: one page`);
    for (const limit of [1, 2, 3]) assert.deepEqual(await walk(tam, order, limit), want, `${order}: pages of ${limit}`);
  }
  // The queue's default view (open requests only): the status sort skips the closed statuses.
  const open = made.filter((r) => !['applied', 'rejected', 'withdrawn'].includes(r.status));
  for (const order of ['status', 'status-desc', 'tenant-desc', 'server'] as const) {
    assert.deepEqual(await walk(tam, order, 2, { open: '1' }), expected(open, order), `${order}: open only, pages of 2`);
  }
});

test('a cursor is good only for the sort that made it; the API takes the sort and says what is wrong', async () => {
  const { tam } = await setUp();
  const page = await listRequests(tam, { order: 'tenant', limit: 2 });
  assert.ok(page.nextCursor);
  await assert.rejects(listRequests(tam, { order: 'server', limit: 2, cursor: page.nextCursor }), (e: unknown) => e instanceof AppError && e.code === 'VALIDATION_FAILED');
  const tampered = Buffer.from(JSON.stringify({ o: 'tenant', k: [1, 2, 3] })).toString('base64url');
  await assert.rejects(listRequests(tam, { order: 'tenant', limit: 2, cursor: tampered }), (e: unknown) => e instanceof AppError && e.code === 'VALIDATION_FAILED');

  const first = await api('GET', '/api/v1/smtp-requests?order=status-desc&limit=3', { token: tam.token });
  assert.equal(first.status, 200);
  const body = first.body as { items: { status: string }[]; nextCursor: string };
  assert.deepEqual(
    body.items.map((r) => r.status),
    ['withdrawn', 'applied', 'tested'],
  );
  const second = await api('GET', `/api/v1/smtp-requests?order=status-desc&limit=3&cursor=${body.nextCursor}`, { token: tam.token });
  assert.deepEqual(
    (second.body as { items: { status: string }[] }).items.map((r) => r.status),
    ['needs_info', 'needs_info', 'in_review'],
  );
  const bad = await api('GET', '/api/v1/smtp-requests?order=colour', { token: tam.token });
  assert.equal(bad.status, 422);
  assert.match(JSON.stringify(bad.body), /order/);
});
