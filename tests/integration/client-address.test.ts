import '../helpers/test-env';
// Issue 11, "Client addresses are believed only from trusted proxies": X-Forwarded-For counts only when the
// socket peer is one of RELAYDESK_TRUSTED_PROXIES (then the rightmost hop that is not ours); otherwise the
// socket address is the client. The socket address reaches the app through scripts/peer-address.mjs, which
// overwrites anything a client sends under its header. User agent and request id are bounded.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { api } from '../helpers/api';
import { assertFreshDatabase } from '../helpers/fresh-database';
import { makeTenantWithPeople, validRequestBody, db } from '../helpers/factories';
import { clientAddress, parseTrustedProxies } from '@/server/core/client-address';
import { PEER_HEADER, requestMeta } from '@/server/core/request-meta';
import { readEnv } from '@/server/env';

await assertFreshDatabase(db);
const { admin } = await makeTenantWithPeople();
after(() => {
  delete process.env.RELAYDESK_TRUSTED_PROXIES;
});

/** Files a request through the API with these headers; returns the address its audit event recorded. */
async function recordedAddress(headers: Record<string, string>): Promise<string | null> {
  const res = await api('POST', '/api/v1/smtp-requests', { token: admin.token, headers, body: validRequestBody() });
  assert.equal(res.status, 201, res.text);
  const event = await db.auditEvent.findFirstOrThrow({ where: { action: 'request.created', targetId: res.body.id } });
  return event.ip;
}

test('an untrusted X-Forwarded-For is not recorded: the socket address is', async () => {
  delete process.env.RELAYDESK_TRUSTED_PROXIES;
  assert.equal(await recordedAddress({ [PEER_HEADER]: '192.0.2.10', 'x-forwarded-for': '198.51.100.7' }), '192.0.2.10');
  assert.equal(await recordedAddress({ 'x-forwarded-for': '198.51.100.7', 'x-real-ip': '198.51.100.8' }), null, 'no socket address known: none, never the header');
  process.env.RELAYDESK_TRUSTED_PROXIES = '10.0.0.0/8';
  assert.equal(await recordedAddress({ [PEER_HEADER]: '192.0.2.10', 'x-forwarded-for': '198.51.100.7' }), '192.0.2.10', 'a peer outside the trusted list');
});

test('behind a trusted proxy, the rightmost hop that is not ours is the client', async () => {
  process.env.RELAYDESK_TRUSTED_PROXIES = '10.0.0.0/8, ::1';
  assert.equal(await recordedAddress({ [PEER_HEADER]: '10.1.2.3', 'x-forwarded-for': '203.0.113.66, 198.51.100.7' }), '198.51.100.7', 'the client-written left part is ignored');
  assert.equal(await recordedAddress({ [PEER_HEADER]: '::ffff:10.1.2.3', 'x-forwarded-for': '198.51.100.7, 10.9.9.9' }), '198.51.100.7', 'past a second proxy of ours');
  assert.equal(await recordedAddress({ [PEER_HEADER]: '::1', 'x-forwarded-for': '2001:db8::5' }), '2001:db8::5');
  assert.equal(await recordedAddress({ [PEER_HEADER]: '10.1.2.3', 'x-forwarded-for': 'garbage, 198.51.100.7' }), '198.51.100.7');
  assert.equal(await recordedAddress({ [PEER_HEADER]: '10.1.2.3', 'x-forwarded-for': '198.51.100.7, not-an-ip' }), '10.1.2.3', 'an unreadable hop stops the walk');
  assert.equal(await recordedAddress({ [PEER_HEADER]: '10.1.2.3' }), '10.1.2.3');
});

test('the pure function and the variable’s validation', () => {
  const trusted = parseTrustedProxies('127.0.0.1, 10.0.0.0/8, fd00::/8');
  assert.equal(clientAddress('127.0.0.1', '1.1.1.1, 10.0.0.1, 10.0.0.2', trusted), '1.1.1.1');
  assert.equal(clientAddress('127.0.0.1', '10.0.0.1', trusted), '10.0.0.1', 'all hops ours: the leftmost');
  assert.equal(clientAddress('8.8.8.8', '1.1.1.1', trusted), '8.8.8.8');
  assert.throws(() => parseTrustedProxies('10.0.0.0/33'), /10\.0\.0\.0\/33/);
  assert.throws(() => readEnv({ RELAYDESK_TRUSTED_PROXIES: '10.0.0.1, proxy.example' }), /RELAYDESK_TRUSTED_PROXIES[\s\S]*proxy\.example/);
  assert.equal(readEnv({ RELAYDESK_TRUSTED_PROXIES: '10.0.0.1, 2001:db8::/32' }).RELAYDESK_TRUSTED_PROXIES, '10.0.0.1, 2001:db8::/32');
});

test('user agent and request id are bounded before they are stored', async () => {
  const meta = requestMeta(new Headers({ 'user-agent': `Mozilla ${'x'.repeat(5000)}`, 'x-request-id': 'r'.repeat(1000) }));
  assert.equal(meta.userAgent?.length, 512);
  assert.equal(meta.requestId?.length, 128);
  assert.notEqual(requestMeta(new Headers({ 'x-request-id': 'a\u007fb c' })).requestId, 'a\u007fb c', 'a request id with odd characters is replaced');
  const res = await api('POST', '/api/v1/smtp-requests', {
    token: admin.token,
    headers: { 'user-agent': 'u'.repeat(4000), 'x-request-id': 'q'.repeat(4000) },
    body: validRequestBody(),
  });
  const event = await db.auditEvent.findFirstOrThrow({ where: { action: 'request.created', targetId: res.body.id } });
  assert.ok(event.userAgent!.length <= 512 && event.userAgent!.length >= 500, String(event.userAgent?.length));
  assert.equal(event.requestId?.length, 128);
});

test('the web server preload puts the socket address in its header, over a client’s forgery', async () => {
  await import(new URL('../../scripts/peer-address.mjs', import.meta.url).href);
  delete process.env.RELAYDESK_TRUSTED_PROXIES;
  const server = http.createServer((req, res) => {
    const meta = requestMeta(new Headers(req.headers as Record<string, string>));
    res.end(JSON.stringify({ peer: req.headers[PEER_HEADER], ip: meta.ip }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const res = await fetch(`http://127.0.0.1:${port}/`, { headers: { [PEER_HEADER]: '10.0.0.1', 'x-forwarded-for': '198.51.100.7' } });
    assert.deepEqual(await res.json(), { peer: '127.0.0.1', ip: '127.0.0.1' });
  } finally {
    server.close();
  }
});
