// Demo data: two tenants, one account per role, a TAM assigned to both. Idempotent: a second start keeps the data.
import { db } from '@/server/db';
import { SYSTEM_ACTOR } from '@/server/audit/record-event';
import { createTenant, createUser, assignTam } from '@/server/admin/manage-tenants';
import { loadUserForServerCode } from '@/server/auth/load-user';
import { createRequest } from '@/server/requests/create-request';
import { DEFAULT_SANDBOX_PORT, SANDBOX_USERNAME } from '@/lib/sandbox-modes';

export const DEMO_PASSWORD = 'relaydesk-demo';

export const DEMO_ACCOUNTS = [
  { email: 'alice@acme.example', name: 'Alice Admin', role: 'customer-admin', tenant: 'acme' },
  { email: 'mike@acme.example', name: 'Mike Member', role: 'customer-member', tenant: 'acme' },
  { email: 'gina@globex.example', name: 'Gina Admin', role: 'customer-admin', tenant: 'globex' },
  { email: 'gus@globex.example', name: 'Gus Member', role: 'customer-member', tenant: 'globex' },
  { email: 'tam@relaydesk.example', name: 'Taylor TAM', role: 'tam' },
  { email: 'auditor@relaydesk.example', name: 'Audrey Auditor', role: 'auditor' },
  { email: 'admin@relaydesk.example', name: 'Ada Admin', role: 'admin' },
] as const;

const DEMO_TENANTS = [
  { slug: 'acme', name: 'Acme Corporation' },
  { slug: 'globex', name: '环球科技 Globex' },
];

const actor = { ...SYSTEM_ACTOR, label: 'demo seed' };

export async function seedDemo(): Promise<{ created: boolean }> {
  if (await db.tenant.findUnique({ where: { slug: 'acme' } })) return { created: false };
  for (const t of DEMO_TENANTS) await createTenant(actor, t);
  for (const a of DEMO_ACCOUNTS) await createUser(actor, { ...a, password: DEMO_PASSWORD });
  for (const t of DEMO_TENANTS) await assignTam(actor, 'tam@relaydesk.example', t.slug);
  await seedSandboxRequest();
  return { created: true };
}

/** Alice's request pointing at the demo SMTP sandbox, so a TAM can validate and test-send right away. */
async function seedSandboxRequest(): Promise<void> {
  const password = process.env.SANDBOX_PASSWORD;
  const alice = await db.user.findUnique({ where: { email: 'alice@acme.example' } });
  const user = alice && (await loadUserForServerCode(alice.id));
  if (!password || !user) return;
  await createRequest(
    user,
    {
      host: 'localhost',
      port: Number(process.env.SANDBOX_PORT ?? DEFAULT_SANDBOX_PORT),
      encryption: 'starttls',
      authMethod: 'plain',
      username: SANDBOX_USERNAME,
      password,
      heloDomain: 'relaydesk.local',
      noReplyAddress: 'noreply@acme.example',
      noReplyName: 'Acme Notifications',
      supportContact: 'https://support.acme.example',
      testRecipient: 'ops@acme.example',
      notes: 'Demo request: the server is the local SMTP sandbox that `npm start` runs (see the Sandbox page).',
    },
    { ip: null, userAgent: 'demo seed', requestId: null },
  );
}
