import '../helpers/test-env';
// An admin changes roles within staff or within a tenant, never their own; the change is audited, a TAM who
// stops being one loses their assignments, and the user's next request already has the new role.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api } from '../helpers/api';
import { refusal } from '../helpers/refusal';
import { db, makeTenantWithPeople, makeUser } from '../helpers/factories';
import { setUserRole } from '@/server/admin/manage-tenants';
import { actorOf } from '@/server/audit/actor';

const admin = await makeUser('admin');
const by = actorOf(admin);

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
      ['user.role_changed', by.label, null, '{"role":"tam"}', '{"role":"auditor"}'],
      ['tam.unassigned', by.label, tenant.id, `{"tam":"${tam.email}","tenant":"${tenant.slug}"}`, null],
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
    assert.deepEqual(await refusal(setUserRole(by, user.id, role)), { code: 'VALIDATION_FAILED', errors: [{ path: 'role', message: 'choose' }] }, `${user.role} → ${role || '(empty)'}`);
    assert.equal((await db.user.findUniqueOrThrow({ where: { id: user.id } })).role, user.role);
  }
  assert.deepEqual(await refusal(setUserRole(by, admin.id, 'auditor')), { code: 'VALIDATION_FAILED', errors: [{ path: 'role', message: 'ownRole' }] });
  assert.equal((await db.user.findUniqueOrThrow({ where: { id: admin.id } })).role, 'admin');
  assert.deepEqual(await refusal(setUserRole(by, 'no-such-user', 'tam')), { code: 'NOT_FOUND', errors: undefined });
  assert.equal(await db.auditEvent.count(), count, 'no event for a refused change');
});
