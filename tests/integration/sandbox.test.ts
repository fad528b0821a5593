import '../helpers/test-env';
// The demo SMTP sandbox: a real server on loopback with its own CA, probed exactly as the console
// probes it (the guard allow-lists loopback, the CA is an extra trusted root), in each of its modes.
import { after, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AppError } from '@/server/app-error';
import { runProbe, type ProbeOptions } from '@/server/smtp/probe';
import type { ProbeResult, SmtpConfig } from '@/server/smtp/types';
import type { SandboxMode } from '@/lib/sandbox-modes';
import { ensureSandboxCertificates } from '@/server/sandbox/sandbox-ca';
import { startSandbox } from '@/server/sandbox/sandbox-server';
import { getSandboxMessage, getSandboxMode, listSandboxMessages, setSandboxMode } from '@/server/sandbox/sandbox-inbox';
import { SANDBOX_KEEP, storeSandboxMessage } from '@/server/sandbox/store-sandbox-message';
import { randomUUID } from 'node:crypto';
import { db, makeTenant, makeTenantWithPeople, makeUser } from '../helpers/factories';
import { assertFreshDatabase } from '../helpers/fresh-database';

await assertFreshDatabase(db);

const USERNAME = 'relaydesk-demo';
const PASSWORD = 'sandbox-Pa55-for-tests';
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'relaydesk-sandbox-'));
const certs = await ensureSandboxCertificates(dataDir);
const sandbox = await startSandbox({ host: ['127.0.0.1', '::1'], port: 0, tls: certs, username: USERNAME, password: PASSWORD, closeTimeoutMs: 200 });
const tam = await makeUser('tam');
const admin = await makeUser('admin');
const customer = await makeUser('customer-admin', (await makeTenant()).slug);

after(async () => {
  await sandbox.close();
  rmSync(dataDir, { recursive: true, force: true });
  // PostgreSQL's idle pool would keep the process alive for another ten seconds.
  await db.$disconnect();
});

function sandboxConfig(overrides: Partial<SmtpConfig> = {}): SmtpConfig {
  return {
    host: 'localhost',
    port: sandbox.port,
    encryption: 'starttls',
    authMethod: 'plain',
    username: USERNAME,
    password: PASSWORD,
    heloDomain: 'relaydesk.local',
    noReplyAddress: 'noreply@acme.example',
    noReplyName: 'Acme Notifications',
    testRecipient: 'ops@acme.example',
    ...overrides,
  };
}

const toLoopback: NonNullable<ProbeOptions['lookup']> = async (host) => {
  if (host === 'localhost') return [{ address: '127.0.0.1', family: 4 }];
  throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
};

function probe(config: SmtpConfig, overrides: Partial<ProbeOptions> = {}): Promise<ProbeResult> {
  return runProbe(config, {
    kind: 'validate',
    allowedHosts: ['127.0.0.1'],
    allowedPorts: [sandbox.port],
    lookup: toLoopback,
    trustedCa: [certs.ca],
    timeoutMs: 5000,
    stepTimeoutMs: 3000,
    ...overrides,
  });
}

const failed = (result: ProbeResult) => result.steps.find((s) => !s.ok);
const explain = (result: ProbeResult) => JSON.stringify(result.steps, null, 1);

describe('certificates', () => {
  test('a CA and a localhost certificate are generated once into the data folder, then reused', async () => {
    for (const file of ['sandbox-ca.pem', 'sandbox-cert.pem', 'sandbox-key.pem']) assert.ok(existsSync(path.join(dataDir, file)), file);
    const again = await ensureSandboxCertificates(dataDir);
    assert.equal(again.ca, certs.ca);
    assert.equal(again.cert, certs.cert);
    assert.equal(readFileSync(again.caFile, 'utf8'), certs.ca);

    const leaf = new X509Certificate(certs.cert);
    assert.ok(leaf.verify(new X509Certificate(certs.ca).publicKey), 'signed by the sandbox CA');
    assert.equal(leaf.checkHost('localhost'), 'localhost');
    assert.equal(leaf.checkIP('127.0.0.1'), '127.0.0.1');
    assert.equal(leaf.checkIP('::1'), '::1');
    assert.equal(new X509Certificate(certs.ca).ca, true);
  });

  test('a damaged certificate is replaced by a fresh pair', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'relaydesk-sandbox-'));
    try {
      const first = await ensureSandboxCertificates(dir);
      const other = await ensureSandboxCertificates(mkdtempSync(path.join(os.tmpdir(), 'relaydesk-sandbox-')));
      // A leaf from another CA does not verify against this CA: both are regenerated.
      writeFileSync(first.certFile, other.cert);
      const fixed = await ensureSandboxCertificates(dir);
      assert.notEqual(fixed.ca, first.ca);
      assert.ok(new X509Certificate(fixed.cert).verify(new X509Certificate(fixed.ca).publicKey));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('probing the sandbox', () => {
  beforeEach(() => setSandboxMode(admin, 'normal'));
  after(() => setSandboxMode(admin, 'normal'));

  test('validate succeeds over STARTTLS with AUTH PLAIN and stores nothing', async () => {
    const before = await db.sandboxMessage.count();
    const result = await probe(sandboxConfig());
    assert.equal(result.ok, true, explain(result));
    assert.deepEqual(
      result.steps.map((s) => s.step),
      ['dns', 'connect', 'greeting', 'ehlo', 'starttls', 'tls', 'ehlo', 'auth', 'mail', 'rcpt', 'relay', 'quit'],
    );
    assert.deepEqual(
      result.tls?.certificates.map((c) => c.subject),
      ['CN=localhost', 'CN=Relaydesk Demo Sandbox CA'],
    );
    assert.match(result.steps.find((s) => s.step === 'auth')!.detail, /PLAIN/);
    assert.ok(result.capabilities?.includes(`SIZE ${10 * 1024 * 1024}`));
    assert.equal(await db.sandboxMessage.count(), before);
  });

  test('AUTH is not offered before STARTTLS: with encryption none the check upgrades first (never AUTH in clear) and warns', async () => {
    const result = await probe(sandboxConfig({ encryption: 'none' }));
    assert.equal(result.ok, true, explain(result));
    const starttls = result.steps.find((s) => s.step === 'starttls');
    assert.equal(starttls?.hint?.code, 'PLAINTEXT_AUTH_UPGRADED');
    assert.equal(starttls?.field, 'encryption');
  });

  test('LOGIN works too, and a wrong password is a 535 pointing at the password', async () => {
    assert.equal((await probe(sandboxConfig({ authMethod: 'login' }))).ok, true);
    const wrong = await probe(sandboxConfig({ password: 'not-the-password' }));
    assert.equal(failed(wrong)?.hint?.code, 'AUTH_FAILED', explain(wrong));
    assert.equal(failed(wrong)?.field, 'password');
  });

  test('localhost over IPv6 reaches the same sandbox', async (t) => {
    if (!sandbox.hosts.includes('::1')) return t.skip('no IPv6 loopback here');
    const result = await probe(sandboxConfig(), { allowedHosts: ['::1'], lookup: async () => [{ address: '::1', family: 6 }] });
    assert.equal(result.ok, true, explain(result));
  });

  test('a test-send lands in the inbox with its envelope, headers and body', async () => {
    const result = await probe(sandboxConfig(), { kind: 'test-send', to: 'tam@relaydesk.example' });
    assert.equal(result.ok, true, explain(result));
    assert.match(result.finalReply ?? '', /^250 .*stored in the sandbox inbox/);

    const row = await db.sandboxMessage.findFirstOrThrow({ where: { messageId: result.messageId! } });
    assert.equal(row.mailFrom, 'noreply@acme.example');
    assert.deepEqual(JSON.parse(row.rcptTo), ['tam@relaydesk.example']);
    assert.equal(row.headerFrom, 'Acme Notifications <noreply@acme.example>');
    assert.equal(row.headerTo, 'noreply@acme.example');
    assert.equal(row.subject, 'Relaydesk test email / Relaydesk 测试邮件');
    assert.equal(row.authUser, USERNAME);

    const { items } = await listSandboxMessages(admin);
    assert.equal(items[0]?.id, row.id, 'newest first');
    assert.deepEqual(items[0]?.rcptTo, ['tam@relaydesk.example']);
    const view = await getSandboxMessage(admin, row.id);
    assert.match(view.text ?? '', /This is a test email sent by Relaydesk/);
    assert.match(view.text ?? '', /这是 Relaydesk 为检查通知邮件的 SMTP 设置而发送的测试邮件/);
    assert.ok(view.headers.some((h) => h.name === 'X-Relaydesk-Test' && h.value === 'yes'));
    assert.ok(!view.headers.some((h) => h.value.includes('tam@relaydesk.example')), 'the real recipient is only in the envelope');
    assert.match(view.raw, /^Message-ID: /m);
  });

  const MODE_CASES: { mode: SandboxMode; step: string; codes: string[]; field: string }[] = [
    { mode: 'reject-auth', step: 'auth', codes: ['AUTH_FAILED'], field: 'password' },
    { mode: 'basic-auth-off', step: 'auth', codes: ['M365_BASIC_AUTH_OFF'], field: 'authMethod' },
    { mode: 'refuse-sender', step: 'mail', codes: ['SENDER_REFUSED'], field: 'noReplyAddress' },
    { mode: 'hang', step: 'greeting', codes: ['NO_GREETING', 'SERVER_TIMEOUT'], field: 'port' },
  ];
  for (const { mode, step, codes, field } of MODE_CASES) {
    test(`mode ${mode}: the probe stops at ${step} with ${codes.join(' or ')}`, async () => {
      await setSandboxMode(admin, mode);
      const result = await probe(sandboxConfig(), mode === 'hang' ? { stepTimeoutMs: 400, timeoutMs: 1500 } : {});
      assert.equal(result.ok, false);
      const stop = failed(result);
      assert.equal(stop?.step, step, explain(result));
      assert.ok(codes.includes(stop?.hint?.code ?? ''), explain(result));
      if (mode !== 'hang') assert.equal(stop?.field, field);
      if (mode === 'reject-auth') assert.match(stop?.reply ?? '', /^535 5\.7\.8 Authentication credentials invalid/);
      if (mode === 'refuse-sender') assert.match(stop?.reply ?? '', /^550 5\.7\.60 .*SendAsDenied/);
      if (mode === 'basic-auth-off') assert.match(stop?.reply ?? '', /^550 5\.7\.30 Basic authentication is not supported/);
      assert.ok(!JSON.stringify(result).includes(PASSWORD), 'the password never reaches the result');
    });
  }
});

describe('inbox and mode, as a user reaches them', () => {
  test('only TAMs and admins read the inbox; only an admin switches the mode (it applies to everyone)', async () => {
    const mode = await getSandboxMode();
    await assert.rejects(listSandboxMessages(customer), (e) => e instanceof AppError && e.code === 'FORBIDDEN');
    await assert.rejects(getSandboxMessage(customer, '00000000-0000-4000-8000-000000000000'), (e) => e instanceof AppError && e.code === 'FORBIDDEN');
    for (const user of [customer, tam]) {
      await assert.rejects(setSandboxMode(user, 'hang'), (e) => e instanceof AppError && e.code === 'FORBIDDEN', user.role);
    }
    assert.equal(await getSandboxMode(), mode, 'a refused switch changes nothing');
    await listSandboxMessages(admin);
    await listSandboxMessages(tam);
  });

  test('a TAM reads only the sandbox messages of tenants they are assigned to: notifications and test emails by Message-ID', async () => {
    const mine = await makeTenantWithPeople();
    const theirs = await makeTenantWithPeople();
    const now = new Date();
    const sentFor = async (tenantId: string, kind: 'notification' | 'test-email' | 'stranger') => {
      const messageId = `<${randomUUID()}@acme.example>`;
      if (kind === 'notification') {
        await db.notification.create({
          data: {
            id: randomUUID(),
            tenantId,
            messageId,
            kind: 'test',
            subject: 's',
            text: 't',
            recipients: '["ops@acme.example"]',
            status: 'sent',
            nextAttemptAt: now,
            createdAt: now,
          },
        });
      } else if (kind === 'test-email') {
        await db.probeRun.create({
          data: {
            id: randomUUID(),
            requestId: randomUUID(),
            tenantId,
            kind: 'test-send',
            ok: true,
            fingerprint: 'f',
            recipient: 'ops@acme.example',
            startedAt: now,
            durationMs: 1,
            steps: '[]',
            transcript: '',
            messageId,
            actorId: mine.tam.id,
          },
        });
      }
      return storeSandboxMessage({
        mailFrom: 'noreply@acme.example',
        rcptTo: ['ops@acme.example'],
        authUser: USERNAME,
        raw: `Message-ID: ${messageId}\r\nSubject: ${kind}\r\n\r\nbody`,
      });
    };
    const myNotification = await sentFor(mine.tenant.id, 'notification');
    const myTestEmail = await sentFor(mine.tenant.id, 'test-email');
    const theirNotification = await sentFor(theirs.tenant.id, 'notification');
    const theirTestEmail = await sentFor(theirs.tenant.id, 'test-email');
    const stranger = await sentFor(mine.tenant.id, 'stranger');
    const all = [myNotification, myTestEmail, theirNotification, theirTestEmail, stranger];

    const listed = async (user: typeof tam) => (await listSandboxMessages(user)).items.map((m) => m.id).filter((id) => all.includes(id));
    assert.deepEqual(new Set(await listed(mine.tam)), new Set([myNotification, myTestEmail]));
    assert.deepEqual(new Set(await listed(theirs.tam)), new Set([theirNotification, theirTestEmail]));
    assert.deepEqual(await listed(tam), [], 'a TAM assigned to neither sees none of them');
    assert.deepEqual(new Set(await listed(admin)), new Set(all), 'an admin sees every message, mail from anyone else included');

    assert.equal((await getSandboxMessage(mine.tam, myTestEmail)).subject, 'test-email');
    for (const id of [theirNotification, theirTestEmail, stranger]) {
      await assert.rejects(getSandboxMessage(mine.tam, id), (e) => e instanceof AppError && e.code === 'NOT_FOUND', 'another tenant’s message is simply not found');
    }
  });

  test('switching the mode is audited with before and after, and an unknown mode is refused', async () => {
    await setSandboxMode(admin, 'normal');
    await setSandboxMode(admin, 'reject-auth', { ip: '203.0.113.9', userAgent: 'test', requestId: 'r1' });
    const event = await db.auditEvent.findFirstOrThrow({ where: { action: 'sandbox.mode_changed' }, orderBy: { seq: 'desc' } });
    assert.equal(event.actorId, admin.id);
    assert.equal(event.ip, '203.0.113.9');
    assert.deepEqual(JSON.parse(event.before!), { mode: 'normal' });
    assert.deepEqual(JSON.parse(event.after!), { mode: 'reject-auth' });
    await assert.rejects(setSandboxMode(admin, 'explode'), (e) => e instanceof AppError && e.code === 'VALIDATION_FAILED');
    assert.equal(await getSandboxMode(), 'reject-auth');
    await setSandboxMode(admin, 'normal');
  });

  test('an unknown message id is not found', async () => {
    for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
      await assert.rejects(getSandboxMessage(tam, id), (e) => e instanceof AppError && e.code === 'NOT_FOUND');
    }
  });

  test(`the inbox keeps the newest ${SANDBOX_KEEP} messages and pages through them`, async () => {
    const base = Date.parse('2020-01-01T00:00:00Z');
    const rows = Array.from({ length: SANDBOX_KEEP }, (_, i) => ({
      id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      receivedAt: new Date(base + i * 1000),
      mailFrom: 'old@example.test',
      rcptTo: '["x@example.test"]',
      headerFrom: 'old@example.test',
      headerTo: 'x@example.test',
      subject: `old ${i}`,
      raw: 'Subject: old\r\n\r\nold',
    }));
    await db.sandboxMessage.createMany({ data: rows });
    const newest = await storeSandboxMessage({
      mailFrom: 'new@example.test',
      rcptTo: ['y@example.test'],
      authUser: null,
      raw: 'Subject: =?UTF-8?B?5paw?=\r\nFrom: a@example.test\r\n\r\nhello',
    });
    assert.equal(await db.sandboxMessage.count(), SANDBOX_KEEP);
    assert.equal(await db.sandboxMessage.findUnique({ where: { id: rows[0]!.id } }), null, 'the oldest went');
    assert.equal((await getSandboxMessage(admin, newest)).subject, '新');

    const seen = new Set<string>();
    let cursor: string | undefined;
    do {
      const page = await listSandboxMessages(admin, { cursor });
      for (const item of page.items) seen.add(item.id);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    assert.equal(seen.size, SANDBOX_KEEP, 'every kept message appears exactly once across pages');
    await assert.rejects(listSandboxMessages(admin, { cursor: 'garbage' }), (e) => e instanceof AppError && e.code === 'VALIDATION_FAILED');
  });
});
