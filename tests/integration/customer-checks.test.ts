import '../helpers/test-env';
// Customers check their settings before filing and while they hold a request (issue 14): a validation
// against a real SMTP server (STARTTLS, AUTH), no mail sent, the same guard and budgets as a TAM's, audited
// without secrets; a passing check is attached to the request filed with exactly those settings.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { api } from '../helpers/api';
import { makeTenantWithPeople, makeUser, validRequestBody, db } from '../helpers/factories';
import { startSmtpServer, type TestSmtpServer } from '../helpers/smtp-test-server';
import { testCerts } from '../helpers/smtp-certs';
import { passwordForms, leakedForms } from '../helpers/secret-forms';
import { resetProbeSettings } from '@/server/probes/probe-settings';
import { resetProbeBudgets, takeProbeBudget, PROBE_LIMITS } from '@/server/probes/rate-limit';
import { askInfoDraft } from '@/server/requests/ask-info-draft';

const SMTP_USER = 'relay-user@acme.test';
const SMTP_PASSWORD = `Ch3ck-${randomUUID().slice(0, 8)}-Secret`;
const WRONG_PASSWORD = `Wr0ng-${randomUUID().slice(0, 8)}-Secret`;
const FORMS = [...passwordForms(SMTP_PASSWORD, SMTP_USER), ...passwordForms(WRONG_PASSWORD, SMTP_USER)];
let server: TestSmtpServer;

before(async () => {
  const certs = await testCerts();
  server = await startSmtpServer({ cert: certs.localhost, user: { username: SMTP_USER, password: SMTP_PASSWORD } });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'relaydesk-ca-'));
  writeFileSync(path.join(dir, 'ca.pem'), certs.ca);
  process.env.SMTP_TRUSTED_CA_FILE = path.join(dir, 'ca.pem');
  process.env.SMTP_ALLOWED_HOSTS = [`127.0.0.1:${server.port}`, '::1'].join(',');
  resetProbeSettings();
});
after(async () => {
  await server.close();
});

const settings = (overrides: Record<string, unknown> = {}) =>
  validRequestBody({
    host: 'localhost',
    port: server.port,
    encryption: 'starttls',
    authMethod: 'plain',
    username: SMTP_USER,
    password: SMTP_PASSWORD,
    heloDomain: 'relaydesk.test',
    noReplyAddress: 'noreply@acme.test',
    testRecipient: 'ops@acme.test',
    ...overrides,
  });

function assertNoSecret(label: string, text: string) {
  assert.deepEqual(leakedForms(text, FORMS), [], `${label} leaks a password`);
}

test('before filing: a wrong password fails at AUTH naming the password field; fixed, the check passes, sends nothing, and the request filed with it carries the run', async () => {
  await resetProbeBudgets();
  const { admin, tam, tenant } = await makeTenantWithPeople();
  const mailsBefore = server.received.length;

  const wrong = await api('POST', '/api/v1/smtp-checks', { token: admin.token, body: settings({ password: WRONG_PASSWORD }), headers: { 'accept-language': 'zh-CN' } });
  assert.equal(wrong.status, 200, wrong.text);
  assert.equal(wrong.body.ok, false);
  const failed = wrong.body.steps.find((s: { ok: boolean }) => !s.ok);
  assert.equal(failed.step, 'auth');
  assert.equal(failed.hint.code, 'AUTH_FAILED');
  assert.equal(failed.field, 'password');
  assert.equal(wrong.body.byCustomer, true);
  assert.ok(
    wrong.body.transcript.some((l: { text: string }) => /AUTH PLAIN/.test(l.text)),
    'the customer sees the transcript of their own server',
  );
  assertNoSecret('the failed check', wrong.text);

  const right = await api('POST', '/api/v1/smtp-checks', { token: admin.token, body: settings() });
  assert.equal(right.status, 200, right.text);
  assert.equal(right.body.ok, true, JSON.stringify(right.body.steps));
  assert.equal(right.body.kind, 'validate');
  assert.ok(!right.body.steps.some((s: { step: string }) => s.step === 'data'), 'a check never reaches DATA');
  assert.equal(server.received.length, mailsBefore, 'no mail is sent');
  assertNoSecret('the passing check', right.text);

  const stored = await db.probeRun.findMany({ where: { id: { in: [wrong.body.id, right.body.id] } } });
  assert.deepEqual(
    stored.map((r) => [r.requestId, r.tenantId, r.actorId]),
    [
      [null, tenant.id, admin.id],
      [null, tenant.id, admin.id],
    ],
  );

  const filed = await api('POST', '/api/v1/smtp-requests', { token: admin.token, body: settings() });
  assert.equal(filed.status, 201, filed.text);
  const attached = await db.probeRun.findUniqueOrThrow({ where: { id: right.body.id } });
  assert.equal(attached.requestId, filed.body.id, 'the passing check is the request’s now');
  assert.equal(attached.fingerprint, filed.body.fingerprint, 'it checked exactly the filed settings');
  assert.equal((await db.probeRun.findUniqueOrThrow({ where: { id: wrong.body.id } })).requestId, null, 'the failed check stays loose');
  const created = await db.auditEvent.findFirstOrThrow({ where: { action: 'request.created', targetId: filed.body.id } });
  assert.equal(JSON.parse(created.after!).checkRunId, right.body.id);

  // The TAM sees it among the request's runs, as the customer's, matching the current configuration.
  await api('POST', `/api/v1/smtp-requests/${filed.body.id}/transitions`, { token: tam.token, body: { to: 'in_review' } });
  const runs = await api('GET', `/api/v1/smtp-requests/${filed.body.id}/probe-runs`, { token: tam.token });
  assert.equal(runs.status, 200);
  assert.deepEqual(
    runs.body.items.map((r: { id: string; byCustomer: boolean; matchesCurrentConfig: boolean }) => [r.id, r.byCustomer, r.matchesCurrentConfig]),
    [[right.body.id, true, true]],
  );
  // …and attaching it moved nothing: the TAM still validates and tests.
  assert.equal((await api('GET', `/api/v1/smtp-requests/${filed.body.id}`, { token: tam.token })).body.status, 'in_review');
});

test('a request filed with other settings (another password), or by someone else, or after the check failed again, carries no run', async () => {
  await resetProbeBudgets();
  const { admin, tenant } = await makeTenantWithPeople();
  const colleague = await makeUser('customer-admin', tenant.slug);
  const passed = await api('POST', '/api/v1/smtp-checks', { token: admin.token, body: settings() });
  assert.equal(passed.body.ok, true, passed.text);

  const otherPassword = await api('POST', '/api/v1/smtp-requests', { token: admin.token, body: settings({ password: WRONG_PASSWORD }) });
  const otherField = await api('POST', '/api/v1/smtp-requests', { token: admin.token, body: settings({ noReplyName: 'Someone else' }) });
  const byColleague = await api('POST', '/api/v1/smtp-requests', { token: colleague.token, body: settings() });
  for (const r of [otherPassword, otherField, byColleague]) assert.equal(r.status, 201, r.text);
  assert.equal((await db.probeRun.findUniqueOrThrow({ where: { id: passed.body.id } })).requestId, null);

  // Latest word: a pass then a failure of the same settings (the server went away) attaches nothing.
  const certs = await testCerts();
  const passing = await startSmtpServer({ cert: certs.localhost, user: { username: SMTP_USER, password: SMTP_PASSWORD } });
  process.env.SMTP_ALLOWED_HOSTS = [`127.0.0.1:${server.port}`, `127.0.0.1:${passing.port}`, '::1'].join(',');
  resetProbeSettings();
  const elsewhere = settings({ port: passing.port });
  assert.equal((await api('POST', '/api/v1/smtp-checks', { token: admin.token, body: elsewhere })).body.ok, true);
  await passing.close();
  const later = await api('POST', '/api/v1/smtp-checks', { token: admin.token, body: elsewhere });
  assert.equal(later.body.ok, false, later.text);
  const afterFailure = await api('POST', '/api/v1/smtp-requests', { token: admin.token, body: elsewhere });
  assert.equal(await db.probeRun.count({ where: { requestId: afterFailure.body.id } }), 0);

  // While the one that passed last is attached to the first request filed with it, and to no second one.
  const first = await api('POST', '/api/v1/smtp-requests', { token: admin.token, body: settings() });
  const second = await api('POST', '/api/v1/smtp-requests', { token: admin.token, body: settings() });
  assert.equal((await db.probeRun.findUniqueOrThrow({ where: { id: passed.body.id } })).requestId, first.body.id);
  assert.equal(await db.probeRun.count({ where: { requestId: second.body.id } }), 0);
});

test('invalid settings: 422 naming every field, nothing run, stored or audited', async () => {
  await resetProbeBudgets();
  const { admin } = await makeTenantWithPeople();
  const [runs, events] = [await db.probeRun.count(), await db.auditEvent.count()];
  const bad = await api('POST', '/api/v1/smtp-checks', {
    token: admin.token,
    body: settings({ host: 'bad host', port: 70000, password: undefined }),
    headers: { 'accept-language': 'zh-CN' },
  });
  assert.equal(bad.status, 422, bad.text);
  assert.match(bad.headers.get('content-type') ?? '', /^application\/problem\+json/);
  assert.deepEqual(bad.body.errors.map((e: { path: string }) => e.path).sort(), ['host', 'password', 'port']);
  const unknown = await api('POST', '/api/v1/smtp-checks', { token: admin.token, body: { ...settings(), pass: 'x' } });
  assert.equal(unknown.status, 422);
  const empty = await api('POST', '/api/v1/smtp-checks', { token: admin.token });
  assert.equal(empty.status, 415, empty.text);
  assert.deepEqual([await db.probeRun.count(), await db.auditEvent.count()], [runs, events]);
});

test('who may check: the customer admin of the tenant; TAM, member, auditor and admin get 403, another tenant 404; only while submitted or needs_info', async () => {
  await resetProbeBudgets();
  const { admin, member, tam } = await makeTenantWithPeople();
  const stranger = await makeTenantWithPeople();
  const auditor = await makeUser('auditor');
  const staff = await makeUser('admin');
  for (const user of [member, tam, auditor, staff]) {
    assert.equal((await api('POST', '/api/v1/smtp-checks', { token: user.token, body: settings() })).status, 403, user.role);
  }
  const filed = await api('POST', '/api/v1/smtp-requests', { token: admin.token, body: settings() });
  const url = `/api/v1/smtp-requests/${filed.body.id}/check`;
  for (const user of [member, tam, auditor, staff]) assert.equal((await api('POST', url, { token: user.token })).status, 403, user.role);
  assert.equal((await api('POST', url, { token: stranger.admin.token })).status, 404);
  assert.equal((await api('POST', url)).status, 401);
  assert.equal(await db.probeRun.count({ where: { requestId: filed.body.id } }), 0, 'no refused call ran a check');

  // Submitted: the customer checks with the stored password; the run is the request's, nothing moves.
  const checked = await api('POST', url, { token: admin.token, headers: { accept: 'application/x-ndjson' } });
  const lines = checked.text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.ok(lines.filter((l) => l.type === 'step').length >= 9, 'the steps stream as they complete');
  const run = lines.at(-1).run;
  assert.equal(run.ok, true, JSON.stringify(run.steps));
  assert.equal(run.matchesCurrentConfig, true);
  assertNoSecret('the streamed check', checked.text);
  const stored = await db.probeRun.findUniqueOrThrow({ where: { id: run.id } });
  assert.deepEqual([stored.requestId, stored.fingerprint, stored.actorId], [filed.body.id, filed.body.fingerprint, admin.id]);
  assert.equal((await api('GET', `/api/v1/smtp-requests/${filed.body.id}`, { token: admin.token })).body.status, 'submitted');

  // In review the TAM holds it: the customer's check is refused (409); in needs_info it is theirs again.
  await api('POST', `/api/v1/smtp-requests/${filed.body.id}/transitions`, { token: tam.token, body: { to: 'in_review' } });
  assert.equal((await api('POST', url, { token: admin.token })).status, 409);
  await api('POST', `/api/v1/smtp-requests/${filed.body.id}/transitions`, { token: tam.token, body: { to: 'needs_info', comment: 'Please check the password.' } });
  assert.equal((await api('POST', url, { token: admin.token })).status, 200);
});

test('audited without secrets: each check is one probe.checked event naming the run, the failed step and the field', async () => {
  await resetProbeBudgets();
  const { admin, tenant } = await makeTenantWithPeople();
  const loose = await api('POST', '/api/v1/smtp-checks', { token: admin.token, body: settings({ password: WRONG_PASSWORD, authMethod: 'login' }) });
  assert.equal(loose.body.ok, false);
  const filed = await api('POST', '/api/v1/smtp-requests', { token: admin.token, body: settings({ authMethod: 'login' }) });
  const onRequest = await api('POST', `/api/v1/smtp-requests/${filed.body.id}/check`, { token: admin.token });
  assert.equal(onRequest.body.ok, true, onRequest.text);
  assert.ok(onRequest.body.transcript.some((l: { text: string }) => /AUTH LOGIN/.test(l.text)));

  const events = await db.auditEvent.findMany({ where: { action: 'probe.checked', tenantId: tenant.id }, orderBy: { seq: 'asc' } });
  assert.deepEqual(
    events.map((e) => [e.targetType, e.targetId, e.actorId]),
    [
      ['probe-run', loose.body.id, admin.id],
      ['smtp-request', filed.body.id, admin.id],
    ],
  );
  const [first, second] = events.map((e) => JSON.parse(e.after!));
  assert.deepEqual([first.probeRunId, first.ok, first.failedStep, first.diagnosis, first.field], [loose.body.id, false, 'auth', 'AUTH_FAILED', 'password']);
  assert.deepEqual([second.probeRunId, second.ok], [onRequest.body.id, true]);
  assertNoSecret('the audit trail', JSON.stringify(await db.auditEvent.findMany()));
  assertNoSecret('the stored runs', JSON.stringify(await db.probeRun.findMany()));
});

test('budgets: a customer has their own per minute, and spends the tenant’s and the destination’s like a TAM', async () => {
  await resetProbeBudgets();
  const { admin, tenant } = await makeTenantWithPeople();
  // A destination the guard refuses (port not allowed): each check stops at DNS, without connecting.
  const refused = settings({ host: '192.0.2.10', port: 2526 });
  for (let i = 0; i < PROBE_LIMITS.customer; i++) {
    const r = await api('POST', '/api/v1/smtp-checks', { token: admin.token, body: refused });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.steps[0].step, 'dns');
  }
  const spent = await api('POST', '/api/v1/smtp-checks', { token: admin.token, body: refused });
  assert.equal(spent.status, 429, spent.text);
  assert.ok(Number(spent.headers.get('retry-after')) > 0);
  assert.match(spent.body.detail, /customer/);
  assert.equal(await db.probeRun.count({ where: { actorId: admin.id } }), PROBE_LIMITS.customer, 'a refused check runs and stores nothing');

  // The tenant's budget is shared with its TAM's probes.
  await resetProbeBudgets();
  for (let i = 0; i < PROBE_LIMITS.tenant; i++) await takeProbeBudget({ tam: `tam-${i}`, tenant: tenant.id, destination: `d${i}.example:25` });
  const tenantSpent = await api('POST', '/api/v1/smtp-checks', { token: admin.token, body: settings() });
  assert.equal(tenantSpent.status, 429);
  assert.match(tenantSpent.body.detail, /tenant/);

  // The destination's budget is spent by everyone who probes that address, whatever the tenant.
  await resetProbeBudgets();
  for (let i = 0; i < PROBE_LIMITS.destination; i++) await takeProbeBudget({ tam: `tam-${i}`, tenant: `other-${i}`, destination: `127.0.0.1:${server.port}` });
  const destinationSpent = await api('POST', '/api/v1/smtp-checks', { token: admin.token, body: settings() });
  assert.equal(destinationSpent.status, 429);
  assert.match(destinationSpent.body.detail, /destination/);
  await resetProbeBudgets();
});

test('"Ask for information" starts from the latest failed run’s diagnosis, in the language of the customer who filed', async () => {
  await resetProbeBudgets();
  const { admin, tam, member } = await makeTenantWithPeople();
  await db.user.update({ where: { id: admin.id }, data: { locale: 'zh-CN' } });
  const filed = await api('POST', '/api/v1/smtp-requests', { token: admin.token, body: settings({ password: WRONG_PASSWORD }) });
  const id = filed.body.id as string;
  assert.equal(await askInfoDraft(tam, id), null, 'no run, no draft');
  await api('POST', `/api/v1/smtp-requests/${id}/transitions`, { token: tam.token, body: { to: 'in_review' } });
  const run = await api('POST', `/api/v1/smtp-requests/${id}/validate`, { token: tam.token });
  assert.equal(run.body.ok, false, run.text);
  const draft = await askInfoDraft(tam, id);
  assert.deepEqual(draft && [draft.locale, draft.step, draft.hint.code, draft.field], ['zh-CN', 'auth', 'AUTH_FAILED', 'password']);
  assert.equal(await askInfoDraft(admin, id), null, 'only the TAM asks');
  assert.equal(await askInfoDraft(member, id), null);
  assertNoSecret('the draft', JSON.stringify(draft));
});
