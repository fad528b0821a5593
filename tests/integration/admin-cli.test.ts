import '../helpers/test-env';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { api } from '../helpers/api';
import { unique } from '../helpers/factories';

const run = promisify(execFile);

async function admin(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('node', ['--conditions=react-server', '--import', 'tsx', 'scripts/admin.ts', ...args], { env: process.env });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

test('the admin CLI creates a tenant, users and an assignment, prints a working token, and verifies the audit chain', async () => {
  const slug = unique('cli');
  assert.match((await admin('create-tenant', '--slug', slug, '--name', 'CLI Tenant')).stdout, new RegExp(`Created tenant ${slug}`));
  const email = `${slug}@example.test`;
  const created = await admin('create-user', '--email', email, '--name', 'Cli Admin', '--password', 'long-enough-password', '--role', 'customer-admin', '--tenant', slug);
  assert.equal(created.code, 0, created.stderr);
  const tamEmail = `tam-${slug}@example.test`;
  assert.equal((await admin('create-user', '--email', tamEmail, '--name', 'Cli Tam', '--password', 'long-enough-password', '--role', 'tam')).code, 0);
  assert.match((await admin('assign', '--tam', tamEmail, '--tenant', slug)).stdout, /Assigned/);

  const reset = await admin('reset-password', '--email', email);
  assert.equal(reset.code, 0, reset.stderr);
  assert.match(reset.stderr, /shown once/);
  const { checkCredentials } = await import('@/server/auth/sign-in');
  assert.equal((await checkCredentials(email, reset.stdout.trim(), { ip: null, userAgent: null, requestId: null })).ok, true, 'the printed password signs in');
  assert.equal((await checkCredentials(email, 'long-enough-password', { ip: null, userAgent: null, requestId: null })).ok, false, 'the old one does not');

  const token = (await admin('create-token', '--email', email)).stdout.trim();
  assert.match(token, /^rdk_[A-Za-z0-9_-]{40,}$/);
  const list = await api('GET', '/api/v1/smtp-requests', { token });
  assert.equal(list.status, 200);

  const verify = await admin('audit-verify');
  assert.equal(verify.code, 0, verify.stdout + verify.stderr);
  assert.equal(JSON.parse(verify.stdout).ok, true);
});

test('bad input exits non-zero with a message naming the option, and changes nothing', async () => {
  const bad = await admin('create-user', '--email', 'not-an-email', '--name', 'X', '--password', 'short', '--role', 'customer-admin');
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /--email/);
  assert.match(bad.stderr, /--password/);
  assert.match(bad.stderr, /--tenant/);
  const unknownTenant = await admin('assign', '--tam', 'nobody@example.test', '--tenant', 'no-such-tenant');
  assert.notEqual(unknownTenant.code, 0);
  const unknownCommand = await admin('frobnicate');
  assert.equal(unknownCommand.code, 2);
  assert.match(unknownCommand.stderr, /Usage/);
});
