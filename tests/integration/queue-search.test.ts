// The TAM's queue: text search on number, server, tenant and no-reply address; "assigned to me" and
// "waiting on customer"; sorted by number or waiting time, each page following on from the last.
import '../helpers/test-env';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api } from '../helpers/api';
import { makeTenantWithPeople, makeUser, unique, validRequestBody } from '../helpers/factories';
import { assignTam } from '@/server/admin/manage-tenants';
import { SYSTEM_ACTOR } from '@/server/audit/record-event';
import { listRequests } from '@/server/requests/list-requests';

test('the queue searches, filters and sorts within what the TAM may see', async () => {
  const a = await makeTenantWithPeople();
  const b = await makeTenantWithPeople();
  const other = await makeTenantWithPeople();
  const tam = await makeUser('tam');
  await assignTam(SYSTEM_ACTOR, tam.email, a.tenant.slug);
  await assignTam(SYSTEM_ACTOR, tam.email, b.tenant.slug);
  const host = `${unique('mx')}.example.org`;
  const file = async (admin: { token: string }, body: Record<string, unknown> = {}) =>
    (await api('POST', '/api/v1/smtp-requests', { token: admin.token, body: validRequestBody(body) })).body as { id: string; number: string };
  const r1 = await file(a.admin, { host });
  const r2 = await file(a.admin, { noReplyAddress: 'alerts@queue-search.example' });
  const r3 = await file(b.admin);
  const hidden = await file(other.admin, { host });
  const numbers = (page: { items: { number: string }[] }) => page.items.map((r) => r.number);

  assert.deepEqual(numbers(await listRequests(tam, { q: host, open: '1' })), [r1.number], "by server address, never another TAM's tenant");
  assert.deepEqual(numbers(await listRequests(tam, { q: r2.number.toLowerCase() })), [r2.number], 'by number, SMTP- prefix or not');
  assert.deepEqual(numbers(await listRequests(tam, { q: r2.number.replace('SMTP-', '') })), [r2.number]);
  assert.deepEqual(numbers(await listRequests(tam, { q: 'alerts@queue-search' })), [r2.number], 'by no-reply address');
  assert.deepEqual(new Set(numbers(await listRequests(tam, { q: b.tenant.slug }))), new Set([r3.number]), 'by tenant');
  assert.ok(!numbers(await listRequests(tam, { q: hidden.number })).includes(hidden.number));

  assert.equal((await api('POST', `/api/v1/smtp-requests/${r1.id}/transitions`, { token: tam.token, body: { to: 'in_review' } })).status, 200);
  assert.equal((await api('POST', `/api/v1/smtp-requests/${r3.id}/transitions`, { token: tam.token, body: { to: 'in_review' } })).status, 200);
  assert.equal((await api('POST', `/api/v1/smtp-requests/${r3.id}/transitions`, { token: tam.token, body: { to: 'needs_info', comment: 'Which port?' } })).status, 200);
  assert.deepEqual(new Set(numbers(await listRequests(tam, { mine: '1' }))), new Set([r1.number, r3.number]), 'assigned to me');
  assert.deepEqual(numbers(await listRequests(tam, { waiting: '1' })), [r3.number], 'waiting on the customer');

  const byNumber: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await listRequests(tam, { order: 'number-desc', limit: 1, cursor });
    byNumber.push(...numbers(page));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  const n = (s: string) => Number(s.replace('SMTP-', ''));
  assert.deepEqual(
    byNumber,
    [r3.number, r2.number, r1.number].sort((x, y) => n(y) - n(x)),
    'number, highest first, paged one by one',
  );
});
