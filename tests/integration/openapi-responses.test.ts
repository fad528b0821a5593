import '../helpers/test-env';
// OpenAPI that clients can trust (issue 17): every route is called on its happy path — through a real SMTP
// server, so validate, test-send and apply succeed — and every real answer (JSON, streamed lines, problems)
// is held against the schema the document shows for that operation and status.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, V1_ROUTES, type ApiResult } from '../helpers/api';
import { db, makeTenantWithPeople, makeUser, validRequestBody } from '../helpers/factories';
import { assertDocumented, checkedAnswers, documentedPath, OPENAPI } from '../helpers/openapi-contract';
import { allowLocalServers, startSink, testedRequest, SMTP_PASSWORD, SMTP_USER, type Sink } from '../pipeline/helpers';

let sink: Sink;
before(async () => {
  sink = await startSink();
  await allowLocalServers(sink.port);
});
after(() => sink.close());

type Options = Parameters<typeof api>[2];
/** Calls a route, asserts the status, and holds the answer against the document. */
async function call(method: string, pattern: string, url: string, status: number, opts: Options = {}): Promise<ApiResult> {
  const res = await api(method, url, opts);
  assert.equal(res.status, status, `${method} ${url}: ${res.text.slice(0, 400)}`);
  assertDocumented(method, pattern, res);
  return res;
}
const NDJSON = { accept: 'application/x-ndjson' };
const R = '/api/v1/smtp-requests';
const T = '/api/v1/tenants/[slug]';

test('every route’s happy path answers what the OpenAPI document says, and so do its problems', async () => {
  const people = await makeTenantWithPeople();
  const auditor = await makeUser('auditor');
  const { admin, tam } = people;
  const slug = people.tenant.slug;
  const t = (path: string) => `/api/v1/tenants/${slug}${path}`;

  // A request through its life: filed, read, edited, discussed, taken, probed, tested, applied.
  const filed = await testedRequest(sink.port, {}, people);
  const id = filed.requestId;
  await call('GET', R, `${R}?limit=5`, 200, { token: tam.token });
  await call('GET', `${R}/[id]`, `${R}/${id}`, 200, { token: admin.token });
  await call('GET', `${R}/[id]/comments`, `${R}/${id}/comments`, 200, { token: admin.token });
  await call('POST', `${R}/[id]/comments`, `${R}/${id}/comments`, 201, { token: tam.token, body: { body: 'Looks good', internal: true } });
  await call('POST', `${R}/[id]/validate`, `${R}/${id}/validate`, 200, { token: tam.token });
  await call('POST', `${R}/[id]/validate`, `${R}/${id}/validate`, 200, { token: tam.token, headers: NDJSON });
  await call('POST', `${R}/[id]/test-send`, `${R}/${id}/test-send`, 200, { token: tam.token, body: {}, headers: NDJSON });
  const runs = await call('GET', `${R}/[id]/probe-runs`, `${R}/${id}/probe-runs`, 200, { token: tam.token });
  await call('GET', '/api/v1/probe-runs/[id]/bundle', `/api/v1/probe-runs/${runs.body.items[0].id}/bundle`, 200, { token: auditor.token });
  await call('POST', `${R}/[id]/apply`, `${R}/${id}/apply`, 201, { token: tam.token });

  // A second request of the same tenant, created, edited and withdrawn, then another applied: version 2, so
  // version 1 can be rolled back to.
  const created = await call('POST', R, R, 201, { token: admin.token, body: validRequestBody() });
  await call('PATCH', `${R}/[id]`, `${R}/${created.body.id}`, 200, { token: admin.token, body: { notes: 'edited' } });
  // The customer's own checks: of settings before filing, and of a request they hold (submitted).
  const settings = validRequestBody({
    host: 'localhost',
    port: sink.port,
    encryption: 'starttls',
    authMethod: 'plain',
    username: SMTP_USER,
    password: SMTP_PASSWORD,
    heloDomain: 'relaydesk.test',
    noReplyAddress: 'noreply@acme.test',
    testRecipient: 'ops@acme.test',
  });
  await call('POST', '/api/v1/smtp-checks', '/api/v1/smtp-checks', 200, { token: admin.token, body: settings });
  await call('POST', '/api/v1/smtp-checks', '/api/v1/smtp-checks', 200, { token: admin.token, body: settings, headers: NDJSON });
  await call('POST', `${R}/[id]/check`, `${R}/${created.body.id}/check`, 200, { token: admin.token });
  await call('POST', `${R}/[id]/transitions`, `${R}/${created.body.id}/transitions`, 200, { token: admin.token, body: { to: 'withdrawn' } });
  const second = await testedRequest(sink.port, { noReplyName: 'Acme Second' }, people);
  await call('POST', `${R}/[id]/apply`, `${R}/${second.requestId}/apply`, 201, { token: tam.token });
  await call('GET', `${T}/smtp-config`, t('/smtp-config'), 200, { token: admin.token });
  await call('POST', `${T}/smtp-config/rollback`, t('/smtp-config/rollback'), 201, { token: tam.token, body: { version: 1 } });

  // The pipeline: a token, notifications (single, repeated, batch), the delivery log, limits, a retried dead letter.
  const token = await call('POST', `${T}/pipeline-tokens`, t('/pipeline-tokens'), 201, { token: tam.token });
  await call('GET', `${T}/pipeline-tokens`, t('/pipeline-tokens'), 200, { token: tam.token });
  const note = { to: ['alice@customer.test'], subject: 'You were mentioned', text: 'Hello', kind: 'mention', idempotencyKey: 'openapi-1' };
  const one = await call('POST', `${T}/notifications`, t('/notifications'), 202, { token: token.body.token, body: note });
  await call('POST', `${T}/notifications`, t('/notifications'), 200, { token: token.body.token, body: note });
  await call('POST', `${T}/notifications`, t('/notifications'), 202, { token: token.body.token, body: { notifications: [{ ...note, idempotencyKey: 'openapi-2' }] } });
  await call('GET', `${T}/deliveries`, t('/deliveries?limit=2'), 200, { token: admin.token });
  await call('GET', `${T}/pipeline`, t('/pipeline'), 200, { token: admin.token });
  await call('PATCH', `${T}/pipeline`, t('/pipeline'), 200, { token: tam.token, body: { ratePerMinute: 30 } });
  await db.notification.update({ where: { id: one.body.id }, data: { status: 'dead', deadAt: new Date() } });
  await call('POST', `${T}/deliveries/[id]/retry`, t(`/deliveries/${one.body.id}/retry`), 200, { token: tam.token });
  await call('DELETE', `${T}/pipeline-tokens/[id]`, t(`/pipeline-tokens/${token.body.id}`), 204, { token: tam.token });

  // The auditor's routes, the public ones.
  await call('GET', '/api/v1/audit-events', `/api/v1/audit-events?tenant=${slug}&limit=3`, 200, { token: auditor.token });
  await call('GET', '/api/v1/audit-events/export', `/api/v1/audit-events/export?tenant=${slug}&format=csv`, 200, { token: auditor.token });
  await call('GET', '/api/v1/audit-events/export', `/api/v1/audit-events/export?tenant=${slug}&format=jsonl`, 200, { token: auditor.token });
  await call('GET', '/api/v1/audit-events/verify', '/api/v1/audit-events/verify', 200, { token: auditor.token });
  await call('GET', '/api/v1/audit-events/verify', '/api/v1/audit-events/verify', 200, { token: auditor.token, headers: NDJSON });
  await call('GET', '/api/health', '/api/health', 200);
  await call('GET', '/api/v1/openapi.json', '/api/v1/openapi.json', 200);

  // The customer admin's own notices (the TAM took, tested and applied their request): a page, one read, the rest.
  const notices = await call('GET', '/api/v1/notices', '/api/v1/notices?limit=2', 200, { token: admin.token });
  assert.ok(notices.body.items.length > 0 && notices.body.unread > 0, 'the customer admin was told of the TAM’s steps');
  await call('POST', '/api/v1/notices/[id]/read', `/api/v1/notices/${notices.body.items[0].id}/read`, 204, { token: admin.token });
  await call('POST', '/api/v1/notices/read-all', '/api/v1/notices/read-all', 200, { token: admin.token });
  assert.equal((await call('GET', '/api/v1/notices', '/api/v1/notices', 200, { token: admin.token })).body.unread, 0);

  // Problems: a field error, a refusal, an unknown object, a conflict, anonymous.
  const invalid = await call('POST', R, R, 422, { token: admin.token, body: { host: '' } });
  assert.ok(invalid.body.errors.length > 0);
  await call('POST', `${R}/[id]/apply`, `${R}/${created.body.id}/apply`, 409, { token: tam.token });
  await call('GET', `${R}/[id]`, `${R}/${crypto.randomUUID()}`, 404, { token: admin.token });
  await call('GET', '/api/v1/audit-events', '/api/v1/audit-events', 403, { token: admin.token });
  await call('GET', `${T}/pipeline`, t('/pipeline'), 401);

  // Every operation of the document was answered with a success and found as documented.
  for (const [path, operations] of Object.entries(OPENAPI.paths)) {
    for (const method of Object.keys(operations)) {
      const ok = [...checkedAnswers].some((a) => a.startsWith(`${method.toUpperCase()} ${path} 2`));
      assert.ok(ok, `${method.toUpperCase()} ${path}: no success answer was checked against the document`);
    }
  }
  // …and every route handler on disk is in the document.
  for (const [pattern, module] of Object.entries(V1_ROUTES)) {
    for (const method of Object.keys(module).filter((k) => /^[A-Z]+$/.test(k))) {
      assert.ok(OPENAPI.paths[documentedPath(pattern)]?.[method.toLowerCase()], `${method} ${pattern} is not documented`);
    }
  }
});

test('an answer that drifts from the document is caught', () => {
  const res = (status: number, body: unknown, type = 'application/json'): ApiResult => ({
    status,
    body,
    text: JSON.stringify(body),
    headers: new Headers({ 'content-type': type }),
  });
  const health = { ok: true, database: 'ok' };
  assertDocumented('GET', '/api/health', res(200, health));
  assert.throws(() => assertDocumented('GET', '/api/health', res(200, { ...health, extra: 1 })), /does not match the documented schema/);
  assert.throws(() => assertDocumented('GET', '/api/health', res(200, { ...health, database: 'fine' })), /does not match/);
  assert.throws(() => assertDocumented('GET', '/api/health', res(418, health)), /does not list this status/);
  assert.throws(() => assertDocumented('GET', '/api/health', res(200, health, 'text/plain')), /is not documented/);
  assert.throws(() => assertDocumented('GET', `${R}/[id]`, res(404, { status: 404, detail: 'x' }, 'application/problem+json')), /does not match/);
});
