import '../helpers/test-env';
// Issue 11: cross-site cookie requests are refused and create nothing while the same request from the
// app's own origin works (bearer tokens are unaffected); sign-out ends the session, so a cookie saved
// before it gets 401; sessions end 8 hours after sign-in however active; "sign out everywhere" ends them
// all; an admin's password reset revokes the user's personal access tokens.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api } from '../helpers/api';
import { assertFreshDatabase } from '../helpers/fresh-database';
import { makeTenantWithPeople, makeUser, validRequestBody, db } from '../helpers/factories';
import { sessionCookieFor } from '../helpers/session-cookie';
import { endAllBrowserSessions, endBrowserSession, SESSION_LIFETIME_MS } from '@/server/auth/sessions';
import { resetUserPassword } from '@/server/admin/manage-tenants';
import { actorOf } from '@/server/audit/actor';

await assertFreshDatabase(db);

const APP = 'http://relaydesk.test';
const { tenant, admin: customerAdmin } = await makeTenantWithPeople();
const requestsOfTenant = () => db.smtpRequest.count({ where: { tenantId: tenant.id } });
const fileWith = (headers: Record<string, string>, token?: string) =>
  api('POST', '/api/v1/smtp-requests', { token, headers, body: validRequestBody({ notes: 'cross-site test' }) });

test('a cross-site cookie POST is refused and creates nothing; the same from the app itself works', async () => {
  const { cookie } = await sessionCookieFor(customerAdmin.id);
  const before = await requestsOfTenant();

  const crossSite: Record<string, string>[] = [
    { cookie, origin: 'https://evil.example' },
    { cookie, origin: 'http://relaydesk.test.evil.example' },
    { cookie, origin: 'null' },
    { cookie, 'sec-fetch-site': 'cross-site' },
    { cookie, 'sec-fetch-site': 'same-site' },
    { cookie },
  ];
  for (const headers of crossSite) {
    const refused = await fileWith(headers);
    assert.equal(refused.status, 403, `${JSON.stringify({ ...headers, cookie: undefined })}: ${refused.text}`);
    assert.equal(refused.headers.get('content-type'), 'application/problem+json');
  }
  assert.equal(await requestsOfTenant(), before, 'nothing was created');
  // A cross-site PATCH and DELETE are refused alike.
  const id = (await api('POST', '/api/v1/smtp-requests', { token: customerAdmin.token, body: validRequestBody() })).body.id as string;
  assert.equal((await api('PATCH', `/api/v1/smtp-requests/${id}`, { headers: { cookie, origin: 'https://evil.example' }, body: { notes: 'pwned' } })).status, 403);
  assert.notEqual((await db.smtpRequest.findUniqueOrThrow({ where: { id } })).notes, 'pwned');

  assert.equal((await fileWith({ cookie, origin: APP })).status, 201, 'from the app’s origin');
  assert.equal((await fileWith({ cookie, 'sec-fetch-site': 'same-origin' })).status, 201, 'Sec-Fetch-Site: same-origin');
  assert.equal((await fileWith({ cookie, origin: 'https://app.example', host: 'app.example' })).status, 201, 'the Host the request was addressed to');
  // Reads are not affected, and neither are bearer tokens (no cookie, no ambient authority).
  assert.equal((await api('GET', '/api/v1/smtp-requests', { headers: { cookie, origin: 'https://evil.example' } })).status, 200);
  assert.equal((await fileWith({ origin: 'https://evil.example' }, customerAdmin.token)).status, 201);
  assert.equal(await requestsOfTenant(), before + 5);
});

test('a session cookie saved before sign-out gets 401 afterwards', async () => {
  const user = await makeUser('tam');
  const { cookie, sid } = await sessionCookieFor(user.id);
  const saved = cookie;
  assert.equal((await api('GET', '/api/v1/smtp-requests', { headers: { cookie } })).status, 200);
  await endBrowserSession(sid, actorOf({ ...user, via: 'session' }), null);
  const after = await api('GET', '/api/v1/smtp-requests', { headers: { cookie: saved } });
  assert.equal(after.status, 401, after.text);
  const events = await db.auditEvent.findMany({ where: { action: 'auth.signed_out', actorId: user.id } });
  assert.equal(events.length, 1);
  // A cookie that names no session (made before sessions were rows, or forged with a made-up sid) is refused too.
  const { encode } = await import('next-auth/jwt');
  const orphan = await encode({ token: { sub: user.id, sid: crypto.randomUUID(), signedInAt: Date.now() }, secret: process.env.AUTH_SECRET!, salt: 'authjs.session-token' });
  assert.equal((await api('GET', '/api/v1/smtp-requests', { headers: { cookie: `authjs.session-token=${orphan}` } })).status, 401);
});

test('a session ends 8 hours after sign-in, however active', async () => {
  const user = await makeUser('auditor');
  const fresh = await sessionCookieFor(user.id, { now: new Date(Date.now() - SESSION_LIFETIME_MS + 60_000) });
  assert.equal((await api('GET', '/api/v1/smtp-requests', { headers: { cookie: fresh.cookie } })).status, 200, 'a minute before the end');
  const old = await sessionCookieFor(user.id, { now: new Date(Date.now() - SESSION_LIFETIME_MS - 1000) });
  assert.equal((await api('GET', '/api/v1/smtp-requests', { headers: { cookie: old.cookie } })).status, 401, 'just past 8 hours');
});

test('sign out everywhere ends every browser session of the user, and only theirs', async () => {
  const user = await makeUser('customer-member', tenant.slug);
  const other = await makeUser('customer-member', tenant.slug);
  const a = await sessionCookieFor(user.id);
  const b = await sessionCookieFor(user.id);
  const c = await sessionCookieFor(other.id);
  assert.equal(await endAllBrowserSessions(user.id, actorOf({ ...user, via: 'session' }), user.tenantId), 2);
  for (const s of [a, b]) assert.equal((await api('GET', '/api/v1/smtp-requests', { headers: { cookie: s.cookie } })).status, 401);
  assert.equal((await api('GET', '/api/v1/smtp-requests', { headers: { cookie: c.cookie } })).status, 200);
  assert.equal((await api('GET', '/api/v1/smtp-requests', { token: user.token })).status, 200, 'tokens are not browser sessions');
  assert.equal(await db.auditEvent.count({ where: { action: 'auth.signed_out_everywhere', targetId: user.id } }), 1);
});

test("an admin's password reset revokes the user's personal access tokens and ends their sessions", async () => {
  const admin = await makeUser('admin');
  const user = await makeUser('tam');
  const session = await sessionCookieFor(user.id);
  assert.equal((await api('GET', '/api/v1/smtp-requests', { token: user.token })).status, 200);
  await resetUserPassword(admin, user.id);
  assert.equal((await api('GET', '/api/v1/smtp-requests', { token: user.token })).status, 401);
  assert.equal((await api('GET', '/api/v1/smtp-requests', { headers: { cookie: session.cookie } })).status, 401);
  const event = await db.auditEvent.findFirstOrThrow({ where: { action: 'user.password_reset', targetId: user.id } });
  assert.match(event.after ?? '', /"revokedAccessTokens":1/);
  assert.equal((await api('GET', '/api/v1/smtp-requests', { token: admin.token })).status, 200, 'the admin’s own token is untouched');
});

test('the demo seed still files alice’s sandbox request: server code acting for a user needs no browser session', async () => {
  process.env.SANDBOX_PASSWORD ??= 'sandbox-test-password';
  const { seedDemo } = await import('@/prisma/seed');
  assert.deepEqual(await seedDemo(), { created: true });
  const acme = await db.tenant.findUniqueOrThrow({ where: { slug: 'acme' } });
  const seeded = await db.smtpRequest.findMany({ where: { tenantId: acme.id } });
  assert.equal(seeded.length, 1);
  assert.equal(seeded[0]!.host, 'localhost');
});
