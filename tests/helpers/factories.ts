// Factories: every test makes its own tenants and users with unique names, so files run in parallel.
import { randomBytes } from 'node:crypto';
import { db } from '@/server/db';
import { SYSTEM_ACTOR } from '@/server/audit/record-event';
import { createTenant, createUser, assignTam } from '@/server/admin/manage-tenants';
import { createToken } from '@/server/auth/tokens';
import { loadActiveUser, type CurrentUser } from '@/server/auth/load-user';
import type { Role } from '@/server/auth/roles';

const actor = { ...SYSTEM_ACTOR, label: 'test factory' };
export const unique = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;
export const TEST_PASSWORD = 'correct-horse-battery';

export async function makeTenant() {
  const slug = unique('t');
  return createTenant(actor, { slug, name: `Tenant ${slug}` });
}

export type TestUser = CurrentUser & { token: string };

export async function makeUser(role: Role, tenantSlug?: string): Promise<TestUser> {
  const email = `${unique(role)}@example.test`;
  const user = await createUser(actor, { email, name: `User ${role}`, password: TEST_PASSWORD, role, tenant: tenantSlug });
  const { token } = await createToken(user.id, 'test', actor);
  const current = await loadActiveUser(user.id, 'token');
  if (!current) throw new Error('user vanished');
  return { ...current, token };
}

/** One tenant with a customer admin, a member and an assigned TAM. */
export async function makeTenantWithPeople() {
  const tenant = await makeTenant();
  const admin = await makeUser('customer-admin', tenant.slug);
  const member = await makeUser('customer-member', tenant.slug);
  const tam = await makeUser('tam');
  await assignTam(actor, tam.email, tenant.slug);
  return { tenant, admin, member, tam };
}

export const validRequestBody = (overrides: Record<string, unknown> = {}) => ({
  host: 'smtp.example.com',
  port: 587,
  encryption: 'starttls',
  authMethod: 'login',
  username: 'mailer@example.com',
  password: 'Sup3r-Secret-Pa55',
  heloDomain: 'mail.example.com',
  noReplyAddress: 'noreply@example.com',
  noReplyName: 'Example Notifications',
  supportContact: 'https://support.example.com',
  testRecipient: 'ops@example.com',
  notes: 'Please apply before Friday.',
  ...overrides,
});

export { db };
