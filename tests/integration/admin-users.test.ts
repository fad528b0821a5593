import '../helpers/test-env';
// An admin changes roles within staff or within a tenant, never their own; the change is audited, a TAM who
// stops being one loses their assignments, and the user's next request already has the new role. An admin
// disables a user (offboarding): sign-in, sessions and tokens stop at once; enabling restores them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api } from '../helpers/api';
import { refusal } from '../helpers/refusal';
import { db, makeTenantWithPeople, makeUser, TEST_PASSWORD } from '../helpers/factories';
import { adminOverview, createUser, resetUserPassword, setUserDisabled, setUserRole, USERS_PAGE } from '@/server/admin/manage-tenants';
import { SYSTEM_ACTOR } from '@/server/audit/record-event';
import { leakedForms, passwordForms } from '../helpers/secret-forms';
import { checkCredentials } from '@/server/auth/sign-in';
import { loadActiveUser } from '@/server/auth/load-user';
import { actorOf } from '@/server/audit/actor';

const admin = await makeUser('admin');
const by = admin;

test('a TAM made auditor: the role changes at once, assignments go, and both are audited', async () => {
  const { tenant, tam } = await makeTenantWithPeople();
  assert.equal((await api('GET', '/api/v1/audit-events', { token: tam.token })).status, 403, 'a TAM does not read the audit trail');
  await setUserRole(by, tam.id, 'auditor');

  assert.equal((await db.user.findUniqueOrThrow({ where: { id: tam.id } })).role, 'auditor');
  assert.equal(await db.tamAssignment.count({ where: { tamId: tam.id } }), 0);
  assert.equal((await api('GET', '/api/v1/audit-events', { token: tam.token })).status, 200, 'the next request already has the new role');
  assert.equal((await api('GET', '/api/v1/smtp-requests?tenant=' + tenant.slug, { token: tam.token })).status, 200);

  const events = await db.auditEvent.findMany({ where: { targetId: tam.id, action: { in: ['user.role_changed', 'tam.unassigned'] } }, orderBy: { seq: 'asc' } });
  assert.deepEqual(
    events.map((e) => [e.action, e.actorLabel, e.tenantId, e.before, e.after]),
    [
      ['user.role_changed', actorOf(by).label, null, '{"role":"tam"}', '{"role":"auditor"}'],
      ['tam.unassigned', actorOf(by).label, tenant.id, `{"tam":"${tam.email}","tenant":"${tenant.slug}"}`, null],
    ],
  );
});

test('a customer admin made member stays in the tenant; the same role again changes nothing', async () => {
  const { admin: customer } = await makeTenantWithPeople();
  await setUserRole(by, customer.id, 'customer-member');
  assert.equal((await db.user.findUniqueOrThrow({ where: { id: customer.id } })).role, 'customer-member');
  const count = await db.auditEvent.count();
  await setUserRole(by, customer.id, 'customer-member');
  assert.equal(await db.auditEvent.count(), count);
});

test('a role outside the user’s world, an unknown role or one’s own role is refused at the role field, and nothing changes', async () => {
  const { admin: customer, tam } = await makeTenantWithPeople();
  const count = await db.auditEvent.count();
  for (const [user, role] of [
    [customer, 'tam'],
    [customer, 'admin'],
    [tam, 'customer-admin'],
    [tam, 'root'],
    [tam, ''],
  ] as const) {
    assert.deepEqual(
      await refusal(setUserRole(by, user.id, role)),
      { code: 'VALIDATION_FAILED', errors: [{ path: 'role', message: 'choose' }] },
      `${user.role} → ${role || '(empty)'}`,
    );
    assert.equal((await db.user.findUniqueOrThrow({ where: { id: user.id } })).role, user.role);
  }
  assert.deepEqual(await refusal(setUserRole(by, admin.id, 'auditor')), { code: 'VALIDATION_FAILED', errors: [{ path: 'role', message: 'ownRole' }] });
  assert.equal((await db.user.findUniqueOrThrow({ where: { id: admin.id } })).role, 'admin');
  assert.deepEqual(await refusal(setUserRole(by, 'no-such-user', 'tam')), { code: 'NOT_FOUND', errors: undefined });
  assert.equal(await db.auditEvent.count(), count, 'no event for a refused change');
});

test('a disabled user cannot sign in, and their session and tokens stop at once; enabled again, all work; both audited', async () => {
  const { admin: customer } = await makeTenantWithPeople();
  const meta = { ip: null, userAgent: null, requestId: null };
  assert.equal((await api('GET', '/api/v1/smtp-requests', { token: customer.token })).status, 200);

  await setUserDisabled(by, customer.id, true);
  assert.equal((await api('GET', '/api/v1/smtp-requests', { token: customer.token })).status, 401, 'the token stops');
  assert.equal(await loadActiveUser(customer.id, 'session', { signedInAt: Date.now() }), null, 'the session stops');
  assert.equal((await checkCredentials(customer.email, TEST_PASSWORD, meta)).ok, false, 'sign-in is refused');
  const count = await db.auditEvent.count();
  await setUserDisabled(by, customer.id, true);
  assert.equal(await db.auditEvent.count(), count, 'disabling a disabled user changes nothing');

  await setUserDisabled(by, customer.id, false);
  assert.equal((await api('GET', '/api/v1/smtp-requests', { token: customer.token })).status, 200);
  assert.equal((await checkCredentials(customer.email, TEST_PASSWORD, meta)).ok, true);

  const events = await db.auditEvent.findMany({ where: { targetId: customer.id, action: { in: ['user.disabled', 'user.enabled'] } }, orderBy: { seq: 'asc' } });
  assert.deepEqual(
    events.map((e) => [e.action, e.actorLabel, e.tenantId, e.before, e.after]),
    [
      ['user.disabled', actorOf(by).label, customer.tenantId, '{"disabled":false}', '{"disabled":true}'],
      ['user.enabled', actorOf(by).label, customer.tenantId, '{"disabled":true}', '{"disabled":false}'],
    ],
  );
});

test('nobody disables their own account, and an unknown user is not found', async () => {
  assert.deepEqual(await refusal(setUserDisabled(by, admin.id, true)), { code: 'VALIDATION_FAILED', errors: [{ path: 'user', message: 'ownAccount' }] });
  assert.equal((await db.user.findUniqueOrThrow({ where: { id: admin.id } })).disabledAt, null);
  assert.deepEqual(await refusal(setUserDisabled(by, 'no-such-user', true)), { code: 'NOT_FOUND', errors: undefined });
});

test('an admin resets a forgotten password: a new random one, shown once, signs in; the old one and older sessions stop; a throttle is lifted', async () => {
  const { member } = await makeTenantWithPeople();
  const meta = { ip: null, userAgent: null, requestId: null };
  for (let i = 0; i < 6; i++) await checkCredentials(member.email, `forgotten-${i}`, meta);
  assert.equal((await checkCredentials(member.email, TEST_PASSWORD, meta)).ok, false, 'throttled after the guesses');
  const signedInBefore = Date.now() - 1000;

  const { email, password } = await resetUserPassword(by, member.id);
  assert.equal(email, member.email);
  assert.match(password, /^[A-Za-z0-9_-]{16}$/);
  assert.equal((await checkCredentials(member.email, password, meta)).ok, true, 'the new password signs in at once');
  assert.equal((await checkCredentials(member.email, TEST_PASSWORD, meta)).ok, false);
  assert.equal(await loadActiveUser(member.id, 'session', { signedInAt: signedInBefore }), null);
  assert.notEqual((await resetUserPassword(by, member.id)).password, password, 'each reset is a new password');

  const events = await db.auditEvent.findMany({ where: { targetId: member.id, action: 'user.password_reset' } });
  assert.equal(events.length, 2);
  assert.equal(events[0]!.after, '{"password":"changed","revokedAccessTokens":1}', 'the factory’s token was revoked');
  assert.equal(events[1]!.after, '{"password":"changed","revokedAccessTokens":0}');
  assert.deepEqual(leakedForms(JSON.stringify(events), passwordForms(password)), []);
});

test('from the page an admin cannot reset their own password (the profile changes it); the CLI, as the system, can', async () => {
  assert.deepEqual(await refusal(resetUserPassword(by, admin.id)), { code: 'VALIDATION_FAILED', errors: [{ path: 'user', message: 'ownAccount' }] });
  const other = await makeUser('admin');
  const { password } = await resetUserPassword({ ...SYSTEM_ACTOR, label: 'cli:test' }, other.id);
  assert.equal((await checkCredentials(other.email, password, { ip: null, userAgent: null, requestId: null })).ok, true);
});

test('the users list pages by email and filters by email; assignable TAMs come whatever the page, disabled ones not', async () => {
  const prefix = `page-${Date.now()}`;
  const emails = Array.from({ length: USERS_PAGE + 5 }, (_, i) => `${prefix}-${String(i).padStart(3, '0')}@example.test`);
  for (const email of emails) await createUser(by, { email, name: 'Paged', password: TEST_PASSWORD, role: 'auditor' });
  const first = await adminOverview(by, { q: prefix.toUpperCase() });
  assert.deepEqual(
    first.users.map((u) => u.email),
    emails.slice(0, USERS_PAGE),
    'the first page, in email order; the filter ignores case',
  );
  assert.equal(first.nextAfter, emails[USERS_PAGE - 1]);
  const second = await adminOverview(by, { q: prefix, after: first.nextAfter! });
  assert.deepEqual(
    second.users.map((u) => u.email),
    emails.slice(USERS_PAGE),
  );
  assert.equal(second.nextAfter, null);
  assert.deepEqual((await adminOverview(by, { q: `${prefix}-none` })).users, []);

  const tam = await makeUser('tam');
  const gone = await makeUser('tam');
  await setUserDisabled(by, gone.id, true);
  const { tams } = await adminOverview(by, { q: prefix });
  assert.ok(
    tams.some((t) => t.email === tam.email),
    'a TAM not on the page shown can still be assigned',
  );
  assert.ok(!tams.some((t) => t.email === gone.email), 'a disabled TAM cannot');
});

test('the admin functions are their own gate: a non-admin, or a user passed as a bare actor, is refused and nothing changes', async () => {
  const target = await makeUser('auditor');
  const audited = () => db.auditEvent.count({ where: { targetId: target.id } });
  const before = await audited();
  for (const role of ['tam', 'auditor', 'customer-admin'] as const) {
    const user = await makeUser(role, role === 'customer-admin' ? (await makeTenantWithPeople()).tenant.slug : undefined);
    assert.deepEqual(await refusal(setUserDisabled(user, target.id, true)), { code: 'FORBIDDEN', errors: undefined }, role);
    assert.deepEqual(await refusal(adminOverview(user)), { code: 'FORBIDDEN', errors: undefined }, role);
  }
  // Only the operator's own actor (type system: the command line, the seed) stands in for a person.
  assert.deepEqual(await refusal(resetUserPassword(actorOf(by), target.id)), { code: 'FORBIDDEN', errors: undefined });
  assert.equal((await db.user.findUniqueOrThrow({ where: { id: target.id } })).disabledAt, null);
  assert.equal(await audited(), before);
});
