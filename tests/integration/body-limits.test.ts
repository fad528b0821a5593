import '../helpers/test-env';
// Issue 11, "Body size before reading": every write route of the route table refuses a 30 MB body with
// 413 quickly, having read no more than the limit (plus one chunk) of it — with or without a declared
// Content-Length. JSON routes take application/json only (parameters allowed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { V1_ROUTES, api } from '../helpers/api';
import { assertFreshDatabase } from '../helpers/fresh-database';
import { makeTenantWithPeople, makeUser, validRequestBody, db } from '../helpers/factories';
import { MAX_JSON_BODY_BYTES } from '@/server/http/body';
import { MAX_BATCH_BODY_BYTES } from '@/server/pipeline/notification-schema';

await assertFreshDatabase(db);

const { tenant, admin: customerAdmin, tam } = await makeTenantWithPeople();
const admin = await makeUser('admin');
const pipelineToken = (await api('POST', `/api/v1/tenants/${tenant.slug}/pipeline-tokens`, { token: tam.token })).body.token as string;
assert.ok(pipelineToken, 'a pipeline token for the notifications route');

const BODY_BYTES = 30 * 1024 * 1024;
const CHUNK = 64 * 1024;
const WRITE_METHODS = ['POST', 'PATCH', 'PUT', 'DELETE'] as const;

/** A 30 MB JSON-looking body produced only as it is read; `pulled` says how much the server asked for. */
function hugeBody() {
  const chunk = new TextEncoder().encode('x'.repeat(CHUNK));
  const state = { pulled: 0 };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (state.pulled >= BODY_BYTES) return controller.close();
      state.pulled += chunk.byteLength;
      controller.enqueue(chunk);
    },
  });
  return { stream, state };
}

const writeRoutes = Object.entries(V1_ROUTES).flatMap(([pattern, module]) =>
  WRITE_METHODS.filter((m) => module[m]).map((method) => ({ pattern, method, handler: module[method]! })),
);

test('the route table has write routes to try', () => {
  assert.ok(writeRoutes.length >= 12, `${writeRoutes.length} write routes`);
});

for (const declared of [false, true]) {
  test(`a 30 MB body answers 413 on every write route (${declared ? 'declared Content-Length' : 'chunked, no length'})`, async (t) => {
    for (const { pattern, method, handler } of writeRoutes) {
      await t.test(`${method} ${pattern}`, async () => {
        const notifications = pattern.endsWith('/notifications');
        const limit = notifications ? MAX_BATCH_BODY_BYTES : MAX_JSON_BODY_BYTES;
        const url = `http://relaydesk.test${pattern.replace('[slug]', tenant.slug).replace('[id]', crypto.randomUUID())}`;
        const { stream, state } = hugeBody();
        const headers: Record<string, string> = { 'content-type': 'application/json', authorization: `Bearer ${notifications ? pipelineToken : admin.token}` };
        if (declared) headers['content-length'] = String(BODY_BYTES);
        const before = await db.auditEvent.count();
        const response = await handler(new Request(url, { method, headers, body: stream, duplex: 'half' } as RequestInit), {
          params: Promise.resolve({ slug: tenant.slug, id: crypto.randomUUID() }),
        });
        assert.equal(response.status, 413, await response.clone().text());
        assert.equal(response.headers.get('content-type'), 'application/problem+json');
        assert.equal((await response.json()).code, 'PAYLOAD_TOO_LARGE');
        // The stream machinery reads a few chunks ahead; what matters is that it stops near the limit, not at 30 MB.
        assert.ok(state.pulled <= limit + 4 * CHUNK, `read ${state.pulled} bytes of the body (limit ${limit})`);
        if (declared) assert.ok(state.pulled <= CHUNK, 'a declared length over the limit is refused before reading (the stream primes one chunk itself)');
        assert.equal(await db.auditEvent.count(), before, 'nothing was done');
      });
    }
  });
}

test('JSON routes take application/json exactly: charset allowed, look-alikes refused with 415', async () => {
  const post = (contentType: string) =>
    api('POST', '/api/v1/smtp-requests', { token: customerAdmin.token, rawBody: JSON.stringify(validRequestBody()), headers: { 'content-type': contentType } });
  const count = () => db.smtpRequest.count({ where: { tenantId: tenant.id } });
  const before = await count();
  for (const type of [
    'text/plain;application/json',
    'text/plain; charset=application/json',
    'application/jsonx',
    'application/json-patch+json',
    'text/plain',
    'multipart/form-data; boundary=x',
  ]) {
    const res = await post(type);
    assert.equal(res.status, 415, `${type}: ${res.text}`);
    assert.equal(res.body.code, 'UNSUPPORTED_MEDIA_TYPE');
  }
  assert.equal(await count(), before);
  assert.equal((await post('application/json; charset=utf-8')).status, 201);
  assert.equal((await post('Application/JSON')).status, 201);
});

test('a route without a body still accepts an empty one, and the optional test-send body is read once', async () => {
  const pipeline = await api('POST', `/api/v1/tenants/${tenant.slug}/pipeline-tokens`, { token: tam.token });
  assert.equal(pipeline.status, 201);
  const id = (await api('POST', '/api/v1/smtp-requests', { token: customerAdmin.token, body: validRequestBody() })).body.id as string;
  // 409: a fresh request must be taken first — the body was read and parsed (a bad one would be 422).
  assert.equal((await api('POST', `/api/v1/smtp-requests/${id}/test-send`, { token: tam.token, body: { to: 'ops@example.com' } })).status, 409);
  assert.equal((await api('POST', `/api/v1/smtp-requests/${id}/test-send`, { token: tam.token, body: { to: 42 } })).status, 422);
  assert.equal((await api('POST', `/api/v1/smtp-requests/${id}/test-send`, { token: tam.token })).status, 409);
});
