import '../helpers/test-env';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { db, makeUser } from '../helpers/factories';
import { createPipelineTokenForTenant } from '@/server/pipeline/pipeline-tokens';
import { SYSTEM_ACTOR } from '@/server/audit/record-event';
import { allowLocalServers, appliedTenant, notify, papi, startSink, testedRequest, type AppliedTenant, type Sink } from './helpers';

let sink: Sink;
let t: AppliedTenant;

before(async () => {
  sink = await startSink();
  await allowLocalServers(sink.port);
  t = await appliedTenant(sink.port);
});
after(() => sink.close());

test('a valid notification is stored before the 202 and keeps the Message-ID it was given', async () => {
  const res = await notify(t, { to: ['a@customer.test', 'b@customer.test'], threadId: 'issue-42', kind: 'issue_comment' });
  assert.equal(res.status, 202, res.text);
  assert.match(res.body.messageId, /^<[0-9a-f-]+@acme\.test>$/);
  const row = await db.notification.findUniqueOrThrow({ where: { id: res.body.id } });
  assert.equal(row.messageId, res.body.messageId);
  assert.equal(row.status, 'queued');
  assert.equal(row.tenantId, t.tenant.id);
  assert.deepEqual(JSON.parse(row.recipients), ['a@customer.test', 'b@customer.test']);
});

test('bad bodies get problem+json with every field error', async () => {
  const res = await notify(t, { to: [], subject: 'Hi\r\nBcc: evil@x.test', text: 42, kind: 'gossip', extra: 1 });
  assert.equal(res.status, 422, res.text);
  assert.equal(res.headers.get('content-type'), 'application/problem+json');
  const paths = res.body.errors.map((e: { path: string }) => e.path).sort();
  for (const p of ['to', 'subject', 'text', 'kind']) assert.ok(paths.includes(p), `${p} in ${paths}`);
  assert.ok(res.body.errors.some((e: { code: string }) => e.code === 'controlCharacters'));

  const badAddress = await notify(t, { to: ['ok@customer.test', 'not an address', 'x@y.test\r\nRCPT TO:<z@z.test>'] });
  assert.equal(badAddress.status, 422);
  assert.deepEqual(
    badAddress.body.errors.map((e: { path: string }) => e.path),
    ['to.1', 'to.2'],
  );

  const tooMany = await notify(t, { to: Array.from({ length: 51 }, (_, i) => `u${i}@customer.test`) });
  assert.equal(tooMany.status, 422);
  assert.equal(tooMany.body.errors[0].path, 'to');
  const longSubject = await notify(t, { subject: 'x'.repeat(999) });
  assert.equal(longSubject.status, 422);
  const bigText = await notify(t, { text: 'x'.repeat(200 * 1024 + 1) });
  assert.equal(bigText.status, 422);
  assert.equal(bigText.body.errors[0].path, 'text');
  const large = await papi('POST', `/api/v1/tenants/${t.slug}/notifications`, { token: t.pipelineToken, rawBody: JSON.stringify({ text: 'x'.repeat(3 * 1024 * 1024) }) });
  assert.equal(large.status, 422);
  assert.ok(large.body.errors.some((e: { path: string }) => e.path === 'text'));
  const huge = await papi('POST', `/api/v1/tenants/${t.slug}/notifications`, { token: t.pipelineToken, rawBody: JSON.stringify({ text: 'x'.repeat(17 * 1024 * 1024) }) });
  assert.equal(huge.status, 413);
  const notJson = await papi('POST', `/api/v1/tenants/${t.slug}/notifications`, { token: t.pipelineToken, rawBody: '{oops' });
  assert.equal(notJson.status, 400);
  assert.equal(await db.notification.count({ where: { tenantId: t.tenant.id, canary: false, subject: { not: 'You were mentioned' } } }), 0);
});

test('only the tenant’s own, unrevoked pipeline token is accepted; personal tokens are not', async () => {
  assert.equal((await papi('POST', `/api/v1/tenants/${t.slug}/notifications`, { body: {} })).status, 401);
  assert.equal((await notify({ slug: t.slug, pipelineToken: 'rdp_nope' })).status, 401);
  assert.equal((await notify({ slug: t.slug, pipelineToken: t.tam.token })).status, 401, 'a personal token is not a pipeline token');
  const other = await appliedTenant(sink.port);
  assert.equal((await notify({ slug: t.slug, pipelineToken: other.pipelineToken })).status, 404, 'another tenant’s token does not reveal this tenant');

  const created = await papi('POST', `/api/v1/tenants/${t.slug}/pipeline-tokens`, { token: t.tam.token });
  assert.equal(created.status, 201);
  assert.match(created.body.token, /^rdp_/);
  const stored = await db.pipelineToken.findUniqueOrThrow({ where: { id: created.body.id } });
  assert.notEqual(stored.tokenHash, created.body.token);
  assert.equal((await notify({ slug: t.slug, pipelineToken: created.body.token })).status, 202);
  const list = await papi('GET', `/api/v1/tenants/${t.slug}/pipeline-tokens`, { token: t.tam.token });
  assert.ok(!list.text.includes(created.body.token));
  assert.equal((await papi('DELETE', `/api/v1/tenants/${t.slug}/pipeline-tokens/${created.body.id}`, { token: t.tam.token })).status, 204);
  assert.equal((await notify({ slug: t.slug, pipelineToken: created.body.token })).status, 401, 'revoked');

  // Customers cannot manage tokens; an unassigned TAM does not see the tenant; an admin can.
  assert.equal((await papi('POST', `/api/v1/tenants/${t.slug}/pipeline-tokens`, { token: t.admin.token })).status, 403);
  assert.equal((await papi('POST', `/api/v1/tenants/${t.slug}/pipeline-tokens`, { token: (await makeUser('tam')).token })).status, 404);
  assert.equal((await papi('POST', `/api/v1/tenants/${t.slug}/pipeline-tokens`, { token: (await makeUser('admin')).token })).status, 201);
  const actions = (await db.auditEvent.findMany({ where: { tenantId: t.tenant.id, action: { startsWith: 'pipeline_token.' } } })).map((e) => e.action);
  assert.ok(actions.includes('pipeline_token.created') && actions.includes('pipeline_token.revoked'));
  assert.ok(!JSON.stringify(await db.auditEvent.findMany({ where: { tenantId: t.tenant.id } })).includes(created.body.token));
});

test('the CLI function prints a working token; a tenant with no applied configuration refuses notifications', async () => {
  const fresh = await testedRequest(sink.port);
  const { token } = await createPipelineTokenForTenant({ ...SYSTEM_ACTOR, label: 'cli:test' }, fresh.tenant.slug);
  const res = await notify({ slug: fresh.tenant.slug, pipelineToken: token });
  assert.equal(res.status, 409);
  assert.match(res.body.detail, /no applied SMTP configuration/);
  await assert.rejects(createPipelineTokenForTenant(SYSTEM_ACTOR, 'no-such-tenant'), /No tenant/);
});
