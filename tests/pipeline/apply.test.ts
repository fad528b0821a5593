import '../helpers/test-env';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { db, makeUser } from '../helpers/factories';
import { assignTam } from '@/server/admin/manage-tenants';
import { SYSTEM_ACTOR } from '@/server/audit/record-event';
import { decryptSecret } from '@/server/crypto/secret-box';
import { configVersionBinding } from '@/server/config-versions/version-binding';
import { allowLocalServers, papi, SMTP_PASSWORD, startSink, testedRequest, type Sink } from './helpers';

let sink: Sink;

before(async () => {
  sink = await startSink();
  await allowLocalServers(sink.port);
});
after(() => sink.close());

test('apply is refused until a test email of exactly this configuration was accepted, and says why', async () => {
  const t = await testedRequest(sink.port);
  // The customer edits after the test: the fingerprint moves, the old test no longer counts.
  await db.smtpRequest.update({ where: { id: t.requestId }, data: { status: 'needs_info' } });
  const edited = await papi('PATCH', `/api/v1/smtp-requests/${t.requestId}`, { token: t.admin.token, body: { noReplyName: 'Acme Bot' } });
  assert.equal(edited.status, 200, edited.text);
  await db.smtpRequest.update({ where: { id: t.requestId }, data: { status: 'tested' } });
  const outdated = await papi('POST', `/api/v1/smtp-requests/${t.requestId}/apply`, { token: t.tam.token });
  assert.equal(outdated.status, 409, outdated.text);
  assert.equal(outdated.body.code, 'INVALID_TRANSITION');
  assert.match(outdated.body.detail, /changed after the last accepted test email/);

  await db.smtpRequest.update({ where: { id: t.requestId }, data: { status: 'in_review' } });
  const untested = await papi('POST', `/api/v1/smtp-requests/${t.requestId}/apply`, { token: t.tam.token });
  assert.equal(untested.status, 409);
  assert.match(untested.body.detail, /Only a tested request can be applied/);

  // Customers, auditors and unassigned TAMs may not apply; another tenant's request is not found.
  assert.equal((await papi('POST', `/api/v1/smtp-requests/${t.requestId}/apply`, { token: t.admin.token })).status, 403);
  assert.equal((await papi('POST', `/api/v1/smtp-requests/${t.requestId}/apply`, { token: (await makeUser('auditor')).token })).status, 403);
  assert.equal((await papi('POST', `/api/v1/smtp-requests/${t.requestId}/apply`, { token: (await makeUser('tam')).token })).status, 404);
  assert.equal(await db.configVersion.count({ where: { tenantId: t.tenant.id } }), 0);
});

test('apply creates version 1 with its own encrypted password, makes it active, applies the request, queues a canary, audits', async () => {
  const t = await testedRequest(sink.port);
  const applied = await papi('POST', `/api/v1/smtp-requests/${t.requestId}/apply`, { token: t.tam.token });
  assert.equal(applied.status, 201, applied.text);
  assert.equal(applied.body.version, 1);
  assert.equal(applied.body.hasPassword, true);
  assert.ok(!applied.text.includes(SMTP_PASSWORD) && !('passwordCipher' in applied.body));
  const row = await db.configVersion.findUniqueOrThrow({ where: { tenantId_version: { tenantId: t.tenant.id, version: 1 } } });
  assert.equal(decryptSecret(row.passwordCipher!, configVersionBinding(t.tenant.id, 1)), SMTP_PASSWORD);
  assert.throws(() => decryptSecret(row.passwordCipher!, configVersionBinding(t.tenant.id, 2)), 'bound to its version');
  assert.equal((await db.smtpRequest.findUniqueOrThrow({ where: { id: t.requestId } })).status, 'applied');
  assert.equal((await db.tenantPipeline.findUniqueOrThrow({ where: { tenantId: t.tenant.id } })).activeVersion, 1);
  const canary = await db.notification.findFirstOrThrow({ where: { tenantId: t.tenant.id, canary: true } });
  assert.equal(canary.configVersion, 1);
  assert.deepEqual(JSON.parse(canary.recipients), ['ops@acme.test']);
  const audit = await db.auditEvent.findMany({ where: { tenantId: t.tenant.id, action: 'config.applied' } });
  assert.equal(audit.length, 1);
  assert.ok(!JSON.stringify(audit).includes(SMTP_PASSWORD));

  // Everyone of the tenant, the TAM and auditors read it; the password never shows; others get 404.
  for (const token of [t.admin.token, t.member.token, t.tam.token, (await makeUser('auditor')).token]) {
    const config = await papi('GET', `/api/v1/tenants/${t.tenant.slug}/smtp-config`, { token });
    assert.equal(config.status, 200, config.text);
    assert.equal(config.body.active.version, 1);
    assert.equal(config.body.active.requestNumber, (await papi('GET', `/api/v1/smtp-requests/${t.requestId}`, { token: t.tam.token })).body.number);
    assert.equal(config.body.active.appliedBy.email, t.tam.email);
    assert.ok(!config.text.includes('passwordCipher') && !config.text.includes(SMTP_PASSWORD));
  }
  const stranger = await testedRequest(sink.port);
  assert.equal((await papi('GET', `/api/v1/tenants/${t.tenant.slug}/smtp-config`, { token: stranger.admin.token })).status, 404);
  assert.equal((await papi('GET', `/api/v1/tenants/${t.tenant.slug}/smtp-config`, { token: stranger.tam.token })).status, 404);
});

test('two TAMs applying the same request at the same moment: one wins, the other gets 409, nothing half-done', async () => {
  const t = await testedRequest(sink.port);
  const second = await makeUser('tam');
  await assignTam({ ...SYSTEM_ACTOR, label: 'test' }, second.email, t.tenant.slug);
  const results = await Promise.all([t.tam.token, second.token].map((token) => papi('POST', `/api/v1/smtp-requests/${t.requestId}/apply`, { token })));
  assert.deepEqual(results.map((r) => r.status).sort(), [201, 409], results.map((r) => r.text).join('\n'));
  assert.equal(results.find((r) => r.status === 409)!.body.code, 'CONFLICT');
  assert.equal(await db.configVersion.count({ where: { tenantId: t.tenant.id } }), 1);
  assert.equal(await db.notification.count({ where: { tenantId: t.tenant.id, canary: true } }), 1);
  assert.equal(await db.auditEvent.count({ where: { tenantId: t.tenant.id, action: 'config.applied' } }), 1);
});

test('two requests of one tenant applied at once get distinct consecutive versions, or a clean 409', async () => {
  const a = await testedRequest(sink.port);
  const b = await testedRequest(sink.port, { noReplyName: 'Other' }, a);
  const results = await Promise.all([a.requestId, b.requestId].map((id) => papi('POST', `/api/v1/smtp-requests/${id}/apply`, { token: a.tam.token })));
  const won = results.filter((r) => r.status === 201);
  assert.ok(won.length >= 1, results.map((r) => r.text).join('\n'));
  for (const lost of results.filter((r) => r.status !== 201)) assert.equal(lost.status, 409, lost.text);
  const versions = await db.configVersion.findMany({ where: { tenantId: a.tenant.id }, orderBy: { version: 'asc' } });
  assert.deepEqual(
    versions.map((v) => v.version),
    won.map((_, i) => i + 1),
  );
  const statuses = await db.smtpRequest.findMany({ where: { id: { in: [a.requestId, b.requestId] } }, select: { status: true } });
  assert.equal(statuses.filter((s) => s.status === 'applied').length, won.length, 'a request is applied exactly when its version exists');
  assert.equal((await db.tenantPipeline.findUniqueOrThrow({ where: { tenantId: a.tenant.id } })).activeVersion, won.length);
});

test('rollback creates version N+1 with the old content, active; only the assigned TAM rolls back', async () => {
  const t = await testedRequest(sink.port);
  assert.equal((await papi('POST', `/api/v1/smtp-requests/${t.requestId}/apply`, { token: t.tam.token })).status, 201);
  const next = await testedRequest(sink.port, { noReplyName: 'Acme v2', supportContact: 'help@acme.test' }, t);
  assert.equal((await papi('POST', `/api/v1/smtp-requests/${next.requestId}/apply`, { token: t.tam.token })).status, 201);

  assert.equal((await papi('POST', `/api/v1/tenants/${t.tenant.slug}/smtp-config/rollback`, { token: t.admin.token, body: { version: 1 } })).status, 403);
  assert.equal((await papi('POST', `/api/v1/tenants/${t.tenant.slug}/smtp-config/rollback`, { token: (await makeUser('tam')).token, body: { version: 1 } })).status, 404);
  const missing = await papi('POST', `/api/v1/tenants/${t.tenant.slug}/smtp-config/rollback`, { token: t.tam.token, body: { version: 9 } });
  assert.equal(missing.status, 404);
  const bad = await papi('POST', `/api/v1/tenants/${t.tenant.slug}/smtp-config/rollback`, { token: t.tam.token, body: { version: 'x' } });
  assert.equal(bad.status, 422);
  assert.equal(bad.body.errors[0].path, 'version');

  const rolled = await papi('POST', `/api/v1/tenants/${t.tenant.slug}/smtp-config/rollback`, { token: t.tam.token, body: { version: 1 } });
  assert.equal(rolled.status, 201, rolled.text);
  assert.equal(rolled.body.version, 3);
  assert.equal(rolled.body.copiedFrom, 1);
  assert.equal(rolled.body.source, 'rollback');
  assert.equal(rolled.body.noReplyName, 'Acme Notifications');
  const config = await papi('GET', `/api/v1/tenants/${t.tenant.slug}/smtp-config`, { token: t.member.token });
  assert.equal(config.body.active.version, 3);
  assert.deepEqual(
    config.body.versions.map((v: { version: number }) => v.version),
    [3, 2, 1],
  );
  const v3 = await db.configVersion.findUniqueOrThrow({ where: { tenantId_version: { tenantId: t.tenant.id, version: 3 } } });
  assert.equal(decryptSecret(v3.passwordCipher!, configVersionBinding(t.tenant.id, 3)), SMTP_PASSWORD);
  assert.equal(await db.auditEvent.count({ where: { tenantId: t.tenant.id, action: 'config.rolled_back' } }), 1);
  const again = await papi('POST', `/api/v1/tenants/${t.tenant.slug}/smtp-config/rollback`, { token: t.tam.token, body: { version: 3 } });
  assert.equal(again.status, 409, 'the active version is not rolled back to');
});

test('another tenant’s configuration, pipeline and deliveries are 404 for every role, before any role check', async () => {
  const t = await testedRequest(sink.port);
  const other = await testedRequest(sink.port);
  const s = t.tenant.slug;
  const calls: [string, string, unknown?][] = [
    ['GET', `/api/v1/tenants/${s}/smtp-config`],
    ['POST', `/api/v1/tenants/${s}/smtp-config/rollback`, { version: 1 }],
    ['GET', `/api/v1/tenants/${s}/deliveries`],
    ['POST', `/api/v1/tenants/${s}/deliveries/00000000-0000-0000-0000-000000000000/retry`],
    ['GET', `/api/v1/tenants/${s}/pipeline`],
    ['PATCH', `/api/v1/tenants/${s}/pipeline`, { paused: true }],
    ['GET', `/api/v1/tenants/${s}/pipeline-tokens`],
    ['POST', `/api/v1/tenants/${s}/pipeline-tokens`],
    ['POST', `/api/v1/smtp-requests/${t.requestId}/apply`],
  ];
  for (const [method, url, body] of calls) {
    for (const who of [other.admin, other.member, other.tam]) {
      const res = await papi(method, url, { token: who.token, body });
      assert.equal(res.status, 404, `${method} ${url} as ${who.role} of another tenant: ${res.text}`);
    }
    assert.equal((await papi(method, url, { body })).status, 401, `${method} ${url} anonymous`);
  }
  // On one's own tenant the role decides: customers read, only staff manage.
  assert.equal((await papi('PATCH', `/api/v1/tenants/${s}/pipeline`, { token: t.admin.token, body: { paused: true } })).status, 403);
  assert.equal((await papi('GET', `/api/v1/tenants/${s}/pipeline-tokens`, { token: t.member.token })).status, 403);
  assert.equal((await papi('GET', `/api/v1/tenants/${s}/deliveries`, { token: t.member.token })).status, 200);
  const limits = await papi('PATCH', `/api/v1/tenants/${s}/pipeline`, { token: t.tam.token, body: { maxConnections: 3, ratePerMinute: 30 } });
  assert.equal(limits.status, 200, limits.text);
  assert.equal(limits.body.ratePerMinute, 30);
  assert.equal((await papi('PATCH', `/api/v1/tenants/${s}/pipeline`, { token: t.tam.token, body: { maxConnections: 0 } })).status, 422);
  assert.equal(await db.auditEvent.count({ where: { tenantId: t.tenant.id, action: 'pipeline.limits_changed' } }), 1);
});

test('a live check of the same configuration that failed after the test email blocks apply (409 naming the run) until forced with a reason, audited', async () => {
  const t = await testedRequest(sink.port);
  sink.behaviour.auth = () => ({ code: 535, message: '5.7.8 Error: authentication failed' });
  let failedRunId: string;
  try {
    const check = await papi('POST', `/api/v1/smtp-requests/${t.requestId}/validate`, { token: t.tam.token, body: {} });
    assert.equal(check.status, 200, check.text);
    assert.equal(check.body.ok, false);
    failedRunId = check.body.id;
  } finally {
    sink.behaviour.auth = undefined;
  }
  const refused = await papi('POST', `/api/v1/smtp-requests/${t.requestId}/apply`, { token: t.tam.token });
  assert.equal(refused.status, 409, refused.text);
  assert.equal(refused.body.reason, 'LATER_CHECK_FAILED');
  assert.equal(refused.body.failedRunId, failedRunId);
  const noReason = await papi('POST', `/api/v1/smtp-requests/${t.requestId}/apply`, { token: t.tam.token, body: { force: true } });
  assert.equal(noReason.status, 422);
  assert.deepEqual(
    noReason.body.errors.map((e: { path: string }) => e.path),
    ['reason'],
  );
  assert.equal(await db.configVersion.count({ where: { tenantId: t.tenant.id } }), 0, 'nothing applied');

  const forced = await papi('POST', `/api/v1/smtp-requests/${t.requestId}/apply`, {
    token: t.tam.token,
    body: { force: true, reason: 'The server had a short outage; the customer confirmed it is back (ticket 99)' },
  });
  assert.equal(forced.status, 201, forced.text);
  const event = await db.auditEvent.findFirstOrThrow({ where: { tenantId: t.tenant.id, action: 'config.apply_forced' } });
  assert.equal(JSON.parse(event.after!).failedRunId, failedRunId);
  assert.match(event.after!, /ticket 99/);
});
