// What the auditor's console relies on: /audit/tenants is the auditor's alone, "Previous" goes one page
// back, the CSV opens in spreadsheet programs with Chinese intact, targets and actors named as people know them.
import '../helpers/test-env';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api } from '../helpers/api';
import { makeTenantWithPeople, makeUser, validRequestBody } from '../helpers/factories';
import { AppError } from '@/server/app-error';
import { getAuditedSmtpConfig } from '@/server/audit/tenant-versions';
import { listAuditEvents } from '@/server/audit/list-events';
import * as exportRoute from '@/app/api/v1/audit-events/export/route';

test("a tenant's version history under /audit is refused to everyone but auditors, its own customers included", async () => {
  const { tenant, admin, member, tam } = await makeTenantWithPeople();
  for (const user of [admin, member, tam, await makeUser('admin')]) {
    await assert.rejects(getAuditedSmtpConfig(user, tenant.slug), (e: unknown) => e instanceof AppError && e.code === 'FORBIDDEN', user.role);
  }
  const auditor = await makeUser('auditor');
  assert.deepEqual((await getAuditedSmtpConfig(auditor, tenant.slug)).versions, []);
});

test('"Previous" is the page just before, not the first page', async () => {
  const { tenant, admin } = await makeTenantWithPeople();
  for (let i = 0; i < 4; i++) await api('POST', '/api/v1/smtp-requests', { token: admin.token, body: validRequestBody({ noReplyName: `N ${i}` }) });
  const auditor = await makeUser('auditor');
  const page = (cursor?: string) => listAuditEvents(auditor, { tenant: tenant.slug, limit: '2', cursor });
  const first = await page();
  const second = await page(first.nextCursor!);
  const third = await page(second.nextCursor!);
  assert.equal(third.items.length, 2);
  assert.equal(first.prevCursor, null, 'the first page has no previous page');
  assert.equal(second.prevCursor, '', "the second page's previous is the first page");
  assert.ok(third.prevCursor, "the third page's previous is a cursor");
  assert.deepEqual(
    (await page(third.prevCursor!)).items.map((e) => e.seq),
    second.items.map((e) => e.seq),
  );
  const viaApi = await api('GET', `/api/v1/audit-events?tenant=${tenant.slug}&limit=2&cursor=${third.prevCursor}`, { token: auditor.token });
  assert.deepEqual(
    viaApi.body.items.map((e: { seq: number }) => e.seq),
    second.items.map((e) => e.seq),
  );
});

test('the CSV export starts with a UTF-8 byte order mark and keeps Chinese intact', async () => {
  const { tenant, admin } = await makeTenantWithPeople();
  await api('POST', '/api/v1/smtp-requests', { token: admin.token, body: validRequestBody({ noReplyName: '通知中心' }) });
  const auditor = await makeUser('auditor');
  const response = await exportRoute.GET(
    new Request(`http://relaydesk.test/api/v1/audit-events/export?format=csv&tenant=${tenant.slug}`, { headers: { authorization: `Bearer ${auditor.token}` } }),
    {
      params: Promise.resolve({}),
    },
  );
  assert.equal(response.status, 200);
  const bytes = new Uint8Array(await response.arrayBuffer());
  assert.deepEqual([...bytes.slice(0, 3)], [0xef, 0xbb, 0xbf]);
  const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
  assert.ok(text.startsWith('\uFEFFseq,at,'), text.slice(0, 20));
  assert.ok(text.includes('通知中心'));

  const jsonl = await exportRoute.GET(
    new Request(`http://relaydesk.test/api/v1/audit-events/export?format=jsonl&tenant=${tenant.slug}`, { headers: { authorization: `Bearer ${auditor.token}` } }),
    {
      params: Promise.resolve({}),
    },
  );
  assert.equal(new Uint8Array(await jsonl.arrayBuffer())[0], '{'.charCodeAt(0), 'JSON Lines has no byte order mark');
});

test("targets are named as people know them, and the actor filter takes an email's beginning", async () => {
  const { tenant, admin } = await makeTenantWithPeople();
  const created = await api('POST', '/api/v1/smtp-requests', { token: admin.token, body: validRequestBody() });
  const auditor = await makeUser('auditor');
  const events = await listAuditEvents(auditor, { tenant: tenant.slug, action: 'request.created' });
  assert.equal(events.items[0]!.targetLabel, created.body.number);

  const prefix = admin.email.slice(0, admin.email.indexOf('@') - 2);
  const byPrefix = await listAuditEvents(auditor, { actor: prefix, tenant: tenant.slug });
  assert.ok(byPrefix.items.length > 0, 'a prefix finds the events of the user it begins');
  assert.ok(byPrefix.items.every((e) => e.actor.startsWith(admin.email)));
  assert.equal((await listAuditEvents(auditor, { actor: 'nobody-such-', tenant: tenant.slug })).items.length, 0);
});
