// `npm run admin -- <command>`: operator commands on the database named by DATABASE_URL. Each is audited.
import 'dotenv/config';
import { parseArgs } from 'node:util';
import os from 'node:os';
import { migrateDatabase } from '@/server/db-migrate';
import { databaseUrl } from '@/server/db-url';
import { loadDemoSecretsIfPresent } from './demo-secrets';

const USAGE = `Usage: npm run admin -- <command> [options]
  create-tenant --slug S --name N
  create-user --email E --name N --password P --role R [--tenant S]
  assign --tam E --tenant S
  reset-password --email E
  create-token --email E [--name N]
  create-pipeline-token --tenant S
  rotate-keys
  audit-verify`;

/** The user with this --email, or a clear error. */
async function userByEmail(email: string | undefined) {
  const { db } = await import('@/server/db');
  const user = await db.user.findUnique({ where: { email: (email ?? '').trim().toLowerCase() } });
  if (!user) throw new Error(`No user ${email ?? '(missing --email)'}.`);
  return user;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: {
      slug: { type: 'string' },
      name: { type: 'string' },
      email: { type: 'string' },
      password: { type: 'string' },
      role: { type: 'string' },
      tenant: { type: 'string' },
      tam: { type: 'string' },
    },
    strict: true,
  });
  loadDemoSecretsIfPresent();
  await migrateDatabase(databaseUrl());
  const { SYSTEM_ACTOR } = await import('@/server/audit/record-event');
  const actor = { ...SYSTEM_ACTOR, label: `cli:${os.userInfo().username}` };
  const admin = await import('@/server/admin/manage-tenants');

  switch (command) {
    case 'create-tenant': {
      const t = await admin.createTenant(actor, { slug: values.slug, name: values.name });
      console.log(`Created tenant ${t.slug} (${t.name}).`);
      return 0;
    }
    case 'create-user': {
      const u = await admin.createUser(actor, { email: values.email, name: values.name, password: values.password, role: values.role, tenant: values.tenant });
      console.log(`Created ${u.role} ${u.email}.`);
      return 0;
    }
    case 'assign': {
      const r = await admin.assignTam(actor, values.tam ?? '', values.tenant ?? '');
      console.log(r.changed ? `Assigned ${r.tam.email} to ${r.tenant.slug}.` : `${r.tam.email} was already assigned to ${r.tenant.slug}.`);
      return 0;
    }
    case 'reset-password': {
      const { email, password } = await admin.resetUserPassword(actor, (await userByEmail(values.email)).id);
      console.error(`New password of ${email} (shown once; their browser sessions are signed out):`);
      console.log(password);
      return 0;
    }
    case 'create-token': {
      const { createToken } = await import('@/server/auth/tokens');
      const { token } = await createToken((await userByEmail(values.email)).id, values.name ?? 'cli', actor);
      console.log(token);
      return 0;
    }
    case 'create-pipeline-token': {
      const { createPipelineTokenForTenant } = await import('@/server/pipeline/pipeline-tokens');
      const { token } = await createPipelineTokenForTenant(actor, values.tenant ?? '');
      console.log(token);
      return 0;
    }
    case 'rotate-keys': {
      const { rotateKeys } = await import('@/server/admin/rotate-keys');
      const r = await rotateKeys(actor);
      console.log(`Re-encrypted ${r.reencrypted} secret(s) with key ${r.newestKey}.`);
      return 0;
    }
    case 'audit-verify': {
      const { verifyChain } = await import('@/server/audit/verify-chain');
      // On a terminal, how far it has got on one line of stderr (a million events take seconds); stdout stays the report.
      const onProgress = process.stderr.isTTY
        ? ({ checked, total }: { checked: number; total: number }) => process.stderr.write(`\rchecked ${checked} of ${total} events`)
        : undefined;
      const report = await verifyChain({ onProgress });
      if (onProgress) process.stderr.write('\n');
      console.log(JSON.stringify(report));
      return report.ok ? 0 : 1;
    }
    default:
      console.error(command ? `Unknown command "${command}".\n${USAGE}` : USAGE);
      return 2;
  }
}

main(process.argv.slice(2))
  .then((code) => process.exit(code))
  .catch(async (error) => {
    const { AppError } = await import('@/server/app-error');
    if (error instanceof AppError && error.details.errors) {
      console.error(`${error.message}\n${error.details.errors.map((e) => `  --${e.path}: ${e.message}`).join('\n')}`);
    } else {
      console.error(error instanceof Error ? error.message : String(error));
    }
    process.exit(1);
  });
