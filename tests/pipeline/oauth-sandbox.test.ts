import '../helpers/test-env';
// The demo sandbox with its demo identity provider, as `npm start` runs them: a generic OAuth request
// (token URL, client id, the sandbox password as client secret, scope) passes the probe end to end through
// the real resolver, and the message lands in the sandbox inbox; a wrong secret or a forged token does not.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { runProbe } from '@/server/smtp/probe';
import type { SmtpConfig } from '@/server/smtp/types';
import type { OAuthSettings } from '@/server/oauth/oauth-settings';
import { ensureSandboxCertificates } from '@/server/sandbox/sandbox-ca';
import { startSandbox } from '@/server/sandbox/sandbox-server';
import { DEMO_MICROSOFT_CLIENT_ID, DEMO_OAUTH_CLIENT_ID, DEMO_OAUTH_SCOPE, startDemoIdp } from '@/server/sandbox/demo-idp';
import { db } from '../helpers/factories';

const PASSWORD = 'sandbox-Pa55-for-oauth-tests';
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'relaydesk-oauth-sandbox-'));
const certs = await ensureSandboxCertificates(dataDir);
const idp = await startDemoIdp({ host: ['127.0.0.1', '::1'], port: 0, tls: certs, clientSecret: PASSWORD });
const sandbox = await startSandbox({
  host: ['127.0.0.1', '::1'],
  port: 0,
  tls: certs,
  username: 'relaydesk-demo',
  password: PASSWORD,
  closeTimeoutMs: 200,
  verifyToken: idp.verifyToken,
});

after(async () => {
  await Promise.all([sandbox.close(), idp.close()]);
  rmSync(dataDir, { recursive: true, force: true });
  await db.$disconnect();
});

const MAILBOX = 'notifications@acme.example';
function demoConfig(oauth: Partial<OAuthSettings> = {}): SmtpConfig {
  return {
    host: 'localhost',
    port: sandbox.port,
    encryption: 'starttls',
    authMethod: 'oauth2',
    username: MAILBOX,
    password: '',
    heloDomain: 'relaydesk.local',
    noReplyAddress: 'noreply@acme.example',
    noReplyName: 'Acme Notifications',
    testRecipient: 'ops@acme.example',
    oauth: {
      provider: 'generic',
      cloud: null,
      tenantId: null,
      clientId: DEMO_OAUTH_CLIENT_ID,
      clientSecret: PASSWORD,
      certificate: null,
      privateKey: null,
      serviceAccountKey: null,
      tokenUrl: `${idp.origin}/token`,
      scope: DEMO_OAUTH_SCOPE,
      mailbox: MAILBOX,
      ...oauth,
    },
  };
}

const run = (config: SmtpConfig) =>
  runProbe(config, {
    kind: 'test-send',
    allowedHosts: [`127.0.0.1:${sandbox.port}`, `[::1]:${sandbox.port}`, `127.0.0.1:${idp.port}`, `[::1]:${idp.port}`],
    allowedPorts: [],
    trustedCa: [certs.ca],
    timeoutMs: 8000,
  });

test('a generic OAuth request against the demo identity provider and sandbox passes the test send; the inbox has the message', async () => {
  const result = await run(demoConfig());
  assert.equal(result.ok, true, JSON.stringify(result.steps, null, 1));
  assert.equal(result.steps[0]?.step, 'token');
  assert.ok(!JSON.stringify(result).includes(PASSWORD));
  const stored = await db.sandboxMessage.findFirst({ where: { messageId: result.messageId ?? '-' } });
  assert.ok(stored, 'stored in the sandbox inbox');
  assert.equal(stored.authUser, MAILBOX);
});

test('the Microsoft provider works against the demo too, with the authority pointed at it (AADSTS codes on errors)', async () => {
  const { resetOAuthEnv } = await import('@/server/oauth/token-endpoints');
  process.env.RELAYDESK_OAUTH_AUTHORITY_MICROSOFT = idp.origin;
  resetOAuthEnv();
  try {
    const ok = await run(demoConfig({ provider: 'microsoft', cloud: 'global', tenantId: 'demo', tokenUrl: null, scope: null }));
    assert.equal(ok.ok, true, JSON.stringify(ok.steps, null, 1));
    // What a request filed on the form holds: a GUID tenant id and the demo's GUID application (client) id.
    const filed = await run(
      demoConfig({ provider: 'microsoft', cloud: 'global', tenantId: '9a3f0c1e-5b7d-4e2a-8c6f-1d0b2e4a6c8e', clientId: DEMO_MICROSOFT_CLIENT_ID, tokenUrl: null, scope: null }),
    );
    assert.equal(filed.ok, true, JSON.stringify(filed.steps, null, 1));
    assert.equal(filed.steps[0]?.step, 'token');
    const wrong = await run(demoConfig({ provider: 'microsoft', cloud: 'global', tenantId: 'demo', tokenUrl: null, scope: null, clientSecret: 'not-the-demo-secret' }));
    assert.equal(wrong.steps.at(-1)?.hint?.code, 'OAUTH_SECRET_INVALID');
  } finally {
    delete process.env.RELAYDESK_OAUTH_AUTHORITY_MICROSOFT;
    resetOAuthEnv();
  }
});

test('a wrong client secret is diagnosed at the token step', async () => {
  const result = await run(demoConfig({ clientSecret: 'not-the-demo-secret' }));
  const step = result.steps.at(-1)!;
  assert.equal(step.step, 'token');
  assert.equal(step.hint?.code, 'OAUTH_CLIENT_REJECTED');
  assert.equal(step.field, 'oauthClientSecret');
});

test('the sandbox refuses a token another identity provider signed (its Gmail-style challenge is diagnosed)', async () => {
  const other = await startDemoIdp({ host: ['127.0.0.1', '::1'], port: 0, tls: certs, clientSecret: PASSWORD });
  try {
    const config = demoConfig({ tokenUrl: `${other.origin}/token` });
    const result = await runProbe(config, {
      kind: 'validate',
      allowedHosts: [`127.0.0.1:${sandbox.port}`, `[::1]:${sandbox.port}`, `127.0.0.1:${other.port}`, `[::1]:${other.port}`],
      allowedPorts: [],
      trustedCa: [certs.ca],
      timeoutMs: 8000,
    });
    const step = result.steps.at(-1)!;
    assert.equal(step.step, 'auth');
    assert.equal(step.hint?.code, 'OAUTH_TOKEN_REJECTED');
  } finally {
    await other.close();
  }
});
