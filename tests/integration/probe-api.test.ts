import '../helpers/test-env';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { api } from '../helpers/api';
import { makeTenantWithPeople, makeUser, validRequestBody, db } from '../helpers/factories';
import { startSmtpServer, type TestSmtpServer } from '../helpers/smtp-test-server';
import { startFloodingServer, type RawServer } from '../helpers/smtp-raw-servers';
import { testCerts } from '../helpers/smtp-certs';
import { resetProbeSettings } from '@/server/probes/probe-settings';
import { resetProbeBudgets, takeProbeBudget, PROBE_LIMITS } from '@/server/probes/rate-limit';
import { AppError } from '@/server/app-error';

const SMTP_USER = 'relay-user@acme.test';
const SMTP_PASSWORD = 'Pr0be-S3cret-Value';
let server: TestSmtpServer;
/** A server without any TLS (STARTTLS disabled) that accepts AUTH in clear. */
let plainServer: TestSmtpServer;
let flooder: RawServer;

before(async () => {
  const certs = await testCerts();
  server = await startSmtpServer({ cert: certs.localhost, user: { username: SMTP_USER, password: SMTP_PASSWORD } });
  plainServer = await startSmtpServer({ disabledCommands: ['STARTTLS'], allowInsecureAuth: true, user: { username: SMTP_USER, password: SMTP_PASSWORD } });
  flooder = await startFloodingServer('greeting');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'relaydesk-ca-'));
  writeFileSync(path.join(dir, 'ca.pem'), certs.ca);
  process.env.SMTP_TRUSTED_CA_FILE = path.join(dir, 'ca.pem');
  process.env.SMTP_ALLOWED_HOSTS = [server.port, plainServer.port, flooder.port]
    .map((port) => `127.0.0.1:${port}`)
    .concat('::1')
    .join(',');
  resetProbeSettings();
});
after(async () => {
  await server.close();
  await plainServer.close();
  await flooder.close();
});

async function takenRequest(overrides: Record<string, unknown> = {}) {
  const people = await makeTenantWithPeople();
  const body = validRequestBody({
    host: 'localhost',
    port: server.port,
    encryption: 'starttls',
    authMethod: 'plain',
    username: SMTP_USER,
    password: SMTP_PASSWORD,
    heloDomain: 'relaydesk.test',
    noReplyAddress: 'noreply@acme.test',
    noReplyName: 'Acme Notifications',
    testRecipient: 'ops@acme.test',
    ...overrides,
  });
  const created = await api('POST', '/api/v1/smtp-requests', { token: people.admin.token, body });
  assert.equal(created.status, 201, created.text);
  const taken = await api('POST', `/api/v1/smtp-requests/${created.body.id}/transitions`, { token: people.tam.token, body: { to: 'in_review' } });
  assert.equal(taken.status, 200, taken.text);
  return { ...people, id: created.body.id as string };
}

const secretForms = [SMTP_PASSWORD, Buffer.from(SMTP_PASSWORD).toString('base64'), Buffer.from(`\0${SMTP_USER}\0${SMTP_PASSWORD}`).toString('base64')];
function assertNoSecret(text: string, where: string) {
  for (const form of secretForms) assert.ok(!text.includes(form), `${where} contains a form of the password`);
}

test('validate, then test-send: steps pass, the request moves to validated then tested, the mail arrives as the pipeline will send it', async () => {
  await resetProbeBudgets();
  const { tam, admin, id } = await takenRequest();
  const validated = await api('POST', `/api/v1/smtp-requests/${id}/validate`, { token: tam.token });
  assert.equal(validated.status, 200, validated.text);
  assert.equal(validated.body.ok, true, JSON.stringify(validated.body.steps));
  assert.deepEqual(
    validated.body.steps.map((s: { step: string }) => s.step),
    ['dns', 'connect', 'greeting', 'ehlo', 'starttls', 'tls', 'ehlo', 'auth', 'mail', 'rcpt', 'relay', 'quit', 'domain'],
  );
  assert.equal(validated.body.matchesCurrentConfig, true);
  assert.ok(validated.body.tls.certificates[0].subjectAltNames.some((n: string) => n.includes('localhost')));
  assert.equal((await api('GET', `/api/v1/smtp-requests/${id}`, { token: admin.token })).body.status, 'validated');
  assert.equal(server.received.length, 0, 'validation never sends');

  const sent = await api('POST', `/api/v1/smtp-requests/${id}/test-send`, { token: tam.token, body: {} });
  assert.equal(sent.status, 200, sent.text);
  assert.equal(sent.body.ok, true, JSON.stringify(sent.body.steps));
  assert.match(sent.body.finalReply, /^250/);
  assert.ok(sent.body.messageId);
  assert.equal((await api('GET', `/api/v1/smtp-requests/${id}`, { token: admin.token })).body.status, 'tested');
  const mail = server.received.at(-1)!;
  assert.deepEqual(mail.rcptTo, ['ops@acme.test'], 'the real recipient is only in the envelope');
  assert.equal(mail.mailFrom, 'noreply@acme.test');
  assert.match(mail.raw, /^From: Acme Notifications <noreply@acme\.test>\r?$/im);
  assert.match(mail.raw, /^To: noreply@acme\.test\r?$/im);
  assert.ok(!/^To:.*ops@acme\.test/im.test(mail.raw));

  // The TAM may send to their own address, nobody else.
  const own = await api('POST', `/api/v1/smtp-requests/${id}/test-send`, { token: tam.token, body: { to: tam.email } });
  assert.equal(own.status, 200, own.text);
  const stranger = await api('POST', `/api/v1/smtp-requests/${id}/test-send`, { token: tam.token, body: { to: 'someone@elsewhere.test' } });
  assert.equal(stranger.status, 422);

  const runs = await api('GET', `/api/v1/smtp-requests/${id}/probe-runs`, { token: tam.token });
  assert.equal(runs.body.items.length, 3);
  const audit = await db.auditEvent.findMany({ where: { targetId: id } });
  assert.deepEqual(
    audit
      .filter((e) => e.action.startsWith('probe.'))
      .map((e) => e.action)
      .sort(),
    ['probe.test_sent', 'probe.test_sent', 'probe.validated'],
  );
});

test('a wrong password is diagnosed at the password field and the request stays in review; nothing secret is kept', async () => {
  await resetProbeBudgets();
  const { tam, admin, id } = await takenRequest();
  await api('PATCH', `/api/v1/smtp-requests/${id}`, { token: admin.token, body: {} }); // no-op: request is in review, edit refused below
  await db.smtpRequest.update({ where: { id }, data: { status: 'needs_info' } });
  const edited = await api('PATCH', `/api/v1/smtp-requests/${id}`, { token: admin.token, body: { password: 'wrong-password-1' } });
  assert.equal(edited.status, 200, edited.text);
  await api('POST', `/api/v1/smtp-requests/${id}/transitions`, { token: tam.token, body: { to: 'in_review' } });

  const run = await api('POST', `/api/v1/smtp-requests/${id}/validate`, { token: tam.token, headers: { 'accept-language': 'zh-CN' } });
  assert.equal(run.body.ok, false);
  const failed = run.body.steps.at(-1);
  assert.equal(failed.step, 'auth');
  assert.equal(failed.hint.code, 'AUTH_FAILED');
  assert.equal(failed.field, 'password');
  assert.equal((await api('GET', `/api/v1/smtp-requests/${id}`, { token: tam.token })).body.status, 'in_review');
});

test('the transcript, the stored run, the bundle and the audit trail never hold the password, plain or base64', async () => {
  await resetProbeBudgets();
  const { tam, id } = await takenRequest({ authMethod: 'login' });
  const auditor = await makeUser('auditor');
  const run = await api('POST', `/api/v1/smtp-requests/${id}/test-send`, { token: tam.token });
  assert.equal(run.body.ok, true, run.text);
  assert.ok(
    run.body.transcript.some((l: { text: string }) => /AUTH LOGIN/.test(l.text)),
    'the AUTH exchange is in the transcript',
  );
  assertNoSecret(run.text, 'API answer');
  const stored = await db.probeRun.findUniqueOrThrow({ where: { id: run.body.id } });
  assertNoSecret(JSON.stringify(stored), 'stored run');
  const bundle = await api('GET', `/api/v1/probe-runs/${run.body.id}/bundle`, { token: auditor.token });
  assert.equal(bundle.status, 200);
  assert.match(bundle.headers.get('content-disposition') ?? '', /attachment; filename="relaydesk-SMTP-\d+-test-send-/);
  assert.ok(bundle.body.run.transcriptText.includes('C: AUTH LOGIN'));
  assertNoSecret(bundle.text, 'bundle');
  assertNoSecret(JSON.stringify(await db.auditEvent.findMany()), 'audit trail');
});

test('only the assigned TAM probes; others get 403 or 404', async () => {
  await resetProbeBudgets();
  const { admin, member, id } = await takenRequest();
  const otherTam = await makeUser('tam');
  const auditor = await makeUser('auditor');
  assert.equal((await api('POST', `/api/v1/smtp-requests/${id}/validate`, { token: admin.token })).status, 403);
  assert.equal((await api('POST', `/api/v1/smtp-requests/${id}/validate`, { token: member.token })).status, 403);
  assert.equal((await api('POST', `/api/v1/smtp-requests/${id}/validate`, { token: auditor.token })).status, 403);
  assert.equal((await api('POST', `/api/v1/smtp-requests/${id}/validate`, { token: otherTam.token })).status, 404);
  assert.equal((await api('POST', `/api/v1/smtp-requests/${id}/validate`)).status, 401);
  assert.equal(await db.probeRun.count({ where: { requestId: id } }), 0);
});

test('a request that was not taken cannot be probed', async () => {
  await resetProbeBudgets();
  const { admin, tam } = await makeTenantWithPeople();
  const created = await api('POST', '/api/v1/smtp-requests', { token: admin.token, body: validRequestBody() });
  const refused = await api('POST', `/api/v1/smtp-requests/${created.body.id}/validate`, { token: tam.token });
  assert.equal(refused.status, 409);
});

test('with Accept: application/x-ndjson the steps stream as they complete, then the run', async () => {
  await resetProbeBudgets();
  const { tam, id } = await takenRequest();
  const res = await api('POST', `/api/v1/smtp-requests/${id}/validate`, { token: tam.token, headers: { accept: 'application/x-ndjson' } });
  assert.equal(res.headers.get('content-type'), 'application/x-ndjson; charset=utf-8');
  const lines = res.text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  const steps = lines.filter((l) => l.type === 'step');
  assert.ok(steps.length >= 9);
  assert.equal(lines.at(-1).type, 'run');
  assert.deepEqual(
    steps.map((l) => l.step.step),
    lines.at(-1).run.steps.map((s: { step: string }) => s.step),
  );
});

test('probe budgets: the destination budget answers 429 with Retry-After', async () => {
  await resetProbeBudgets();
  const keys = { tam: 't1', tenant: 'x', destination: 'smtp.example.com:587' };
  for (let i = 0; i < PROBE_LIMITS.destination; i++) await takeProbeBudget({ ...keys, tam: `t${i}`, tenant: `x${i}` }, 1_000_000);
  await assert.rejects(
    () => takeProbeBudget(keys, 1_000_000 + 5_000),
    (e) => e instanceof AppError && e.code === 'RATE_LIMITED' && e.details.retryAfterSeconds === 55,
  );
  await assert.doesNotReject(() => takeProbeBudget(keys, 1_000_000 + 61_000), 'the window starts again');
});

test('the destination budget is keyed on the address: 127.1, 0x7f.1 and 2130706433 share one', async () => {
  await resetProbeBudgets();
  const spellings = ['127.1', '0x7f.1', '2130706433'];
  const requests = [];
  for (const host of spellings) requests.push(await takenRequest({ host, encryption: 'none', authMethod: 'none', username: '', password: '' }));
  for (let i = 0; i < PROBE_LIMITS.destination; i++) {
    const { tam, id } = requests[i % requests.length]!;
    const res = await api('POST', `/api/v1/smtp-requests/${id}/validate`, { token: tam.token });
    assert.equal(res.status, 200, `${spellings[i % spellings.length]}: ${res.text}`);
  }
  for (const { tam, id } of requests) {
    const refused = await api('POST', `/api/v1/smtp-requests/${id}/validate`, { token: tam.token });
    assert.equal(refused.status, 429, refused.text);
  }
});

test('a server flooding its greeting: the validation answers quickly with UNBOUNDED_REPLY, the stored run is bounded, memory stays flat', async () => {
  await resetProbeBudgets();
  const { tam, id } = await takenRequest({ host: '127.0.0.1', port: flooder.port, encryption: 'none', authMethod: 'none', username: '', password: '' });
  const before = process.memoryUsage();
  let peak = before.rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const started = Date.now();
  const res = await api('POST', `/api/v1/smtp-requests/${id}/validate`, { token: tam.token });
  clearInterval(sampler);
  const elapsed = Date.now() - started;
  assert.equal(res.status, 200, res.text.slice(0, 500));
  const failed = res.body.steps.at(-1);
  assert.equal(failed.step, 'greeting');
  assert.equal(failed.hint.code, 'UNBOUNDED_REPLY');
  assert.ok(elapsed < 5000, `took ${elapsed} ms`);
  assert.ok(res.text.length < 256 * 1024, `API answer of ${res.text.length} bytes`);
  const stored = await db.probeRun.findUniqueOrThrow({ where: { id: res.body.id } });
  assert.ok(stored.transcript.length + stored.steps.length < 256 * 1024, 'stored run is bounded');
  const growth = Math.max(peak, process.memoryUsage().rss) - before.rss;
  assert.ok(growth < 100 * 1024 * 1024, `rss grew by ${Math.round(growth / 1024 / 1024)} MB`);
  const page = await api('GET', `/api/v1/smtp-requests/${id}/probe-runs`, { token: tam.token });
  assert.ok(page.text.length < 256 * 1024);
});

test('encryption none against a server without TLS: no AUTH in clear until the customer acknowledges it on the request', async () => {
  await resetProbeBudgets();
  const plain = { port: plainServer.port, host: '127.0.0.1', encryption: 'none', authMethod: 'plain' };
  const refused = await takenRequest(plain);
  const run = await api('POST', `/api/v1/smtp-requests/${refused.id}/validate`, { token: refused.tam.token });
  const step = run.body.steps.at(-1);
  assert.equal(step.step, 'auth');
  assert.equal(step.hint.code, 'PLAINTEXT_AUTH_UNACKNOWLEDGED');
  assert.equal(step.field, 'plaintextAuthAcknowledged');
  assert.equal(plainServer.auths.length, 0, 'the password never crossed the network');

  const bad = await api('POST', '/api/v1/smtp-requests', {
    token: refused.admin.token,
    body: validRequestBody({ ...plain, username: SMTP_USER, password: SMTP_PASSWORD, plaintextAuthAcknowledged: 'yes' }),
  });
  assert.equal(bad.status, 422);
  assert.deepEqual(
    bad.body.errors.map((e: { path: string }) => e.path),
    ['plaintextAuthAcknowledged'],
  );

  const acknowledged = await takenRequest({ ...plain, plaintextAuthAcknowledged: true });
  const view = await api('GET', `/api/v1/smtp-requests/${acknowledged.id}`, { token: acknowledged.admin.token });
  assert.equal(view.body.plaintextAuthAcknowledged, true);
  assert.notEqual(view.body.fingerprint, (await api('GET', `/api/v1/smtp-requests/${refused.id}`, { token: refused.admin.token })).body.fingerprint);
  const ok = await api('POST', `/api/v1/smtp-requests/${acknowledged.id}/validate`, { token: acknowledged.tam.token });
  assert.equal(ok.body.ok, true, JSON.stringify(ok.body.steps.at(-1)));
  assert.equal(ok.body.steps.find((s: { step: string }) => s.step === 'auth').hint.code, 'PLAINTEXT_AUTH_ACKNOWLEDGED');
  assert.equal(plainServer.auths.length, 1);
});
