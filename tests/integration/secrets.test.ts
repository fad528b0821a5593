import '../helpers/test-env';
// The SMTP password is write-only: no response, problem detail, audit event, log line or stored column
// carries it, in plain text or in base64 (alone, or in the SASL PLAIN / "user:pass" blobs). Likewise
// invitation links: only the mail carries them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { api } from '../helpers/api';
import { assertFreshDatabase } from '../helpers/fresh-database';
import { makeTenant, makeTenantWithPeople, makeUser, validRequestBody, db } from '../helpers/factories';
import { captureConsole } from '../helpers/console-capture';
import { credentialForms, leakedForms, passwordForms } from '../helpers/secret-forms';
import { createRequest } from '@/server/requests/create-request';
import { decryptSecret } from '@/server/crypto/secret-box';
import { passwordBinding } from '@/server/requests/request-fields';
import { oauthCredentials, microsoftBody, googleBody, genericBody } from '../helpers/oauth-request-bodies';
import { diagnosticsBundle } from '@/server/probes/diagnostics-bundle';
import { randomUUID } from 'node:crypto';
import { readQueuedOwnMail } from '../helpers/own-mail';
import { createInvitation, listInvitations, resendInvitation, revokeInvitation } from '@/server/invitations/manage-invitations';
import { acceptInvitation, openInvitation } from '@/server/invitations/accept-invitation';
import { AppError } from '@/server/app-error';
import { problemFromError } from '@/server/http/problem';

await assertFreshDatabase(db);

const USERNAME = `mailer-${randomBytes(3).toString('hex')}@example.com`;
const PASSWORD = `Fi3ld-${randomBytes(6).toString('hex')}-Secret`;
const PASSWORD_2 = `S3cond-${randomBytes(6).toString('hex')}-Secret`;
const FORMS = [...passwordForms(PASSWORD, USERNAME), ...passwordForms(PASSWORD_2, USERNAME)];

function assertClean(label: string, text: string) {
  assert.deepEqual(leakedForms(text, FORMS), [], `${label} leaks the password`);
}

test('the password appears in no response, problem detail, audit event, log line or column', async () => {
  const log = captureConsole();
  try {
    const { tenant, admin, member, tam } = await makeTenantWithPeople();
    const auditor = await makeUser('auditor');
    const staffAdmin = await makeUser('admin');
    const responses: [string, string][] = [];
    const call = async (label: string, method: string, url: string, token: string, opts: { body?: unknown; rawBody?: string; headers?: Record<string, string> } = {}) => {
      const res = await api(method, url, { token, ...opts });
      responses.push([`${label} (${res.status})`, `${JSON.stringify([...res.headers])}\n${res.text}`]);
      return res;
    };

    // Refused creates that carry the password.
    await call('create with a bad host', 'POST', '/api/v1/smtp-requests', admin.token, { body: validRequestBody({ username: USERNAME, password: PASSWORD, host: 'bad host' }) });
    await call('create with a CR in the password', 'POST', '/api/v1/smtp-requests', admin.token, { body: validRequestBody({ username: USERNAME, password: `${PASSWORD}\r\n` }) });
    await call('create by a member', 'POST', '/api/v1/smtp-requests', member.token, { body: validRequestBody({ username: USERNAME, password: PASSWORD }) });
    await call('create, broken JSON', 'POST', '/api/v1/smtp-requests', admin.token, { rawBody: `{"username":"${USERNAME}","password":"${PASSWORD}",` });
    await call('create, too large', 'POST', '/api/v1/smtp-requests', admin.token, {
      body: validRequestBody({ username: USERNAME, password: PASSWORD, notes: 'n'.repeat(70_000) }),
    });
    await call('create, unknown field', 'POST', '/api/v1/smtp-requests', admin.token, { body: validRequestBody({ username: USERNAME, password: PASSWORD, pass: PASSWORD }) });

    const created = await call('create', 'POST', '/api/v1/smtp-requests', admin.token, { body: validRequestBody({ username: USERNAME, password: PASSWORD }) });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.body.hasPassword, true);
    const id = created.body.id as string;
    const url = `/api/v1/smtp-requests/${id}`;

    for (const [who, user] of [
      ['admin', admin],
      ['member', member],
      ['tam', tam],
      ['auditor', auditor],
      ['staff admin', staffAdmin],
    ] as const) {
      const one = await call(`get as ${who}`, 'GET', url, user.token);
      assert.equal(one.status, 200);
      assert.deepEqual(
        Object.keys(one.body).filter((k) => /password|cipher|secret|privatekey|serviceaccount/i.test(k)),
        ['hasPassword', 'hasOauthClientSecret', 'hasOauthPrivateKey', 'hasOauthServiceAccountKey'],
        'only has… is said about a secret',
      );
      await call(`list as ${who}`, 'GET', '/api/v1/smtp-requests?limit=100', user.token);
      await call(`comments as ${who}`, 'GET', `${url}/comments`, user.token);
    }

    // Edits: kept, refused (in two languages), and replaced.
    assert.equal((await call('patch notes', 'PATCH', url, admin.token, { body: { notes: 'password stays' } })).body.hasPassword, true);
    await call('patch host, no password', 'PATCH', url, admin.token, { body: { host: 'smtp.changed.example' } });
    await call('patch bad port with new password', 'PATCH', url, admin.token, { body: { port: 'abc', password: PASSWORD_2 } });
    await call('patch bad host with new password, zh-CN', 'PATCH', url, admin.token, { body: { host: 'bad host', password: PASSWORD_2 }, headers: { 'accept-language': 'zh-CN' } });
    await call('patch over-long password', 'PATCH', url, admin.token, { body: { password: `${PASSWORD_2}${'x'.repeat(600)}` } });
    await call('patch password with NUL', 'PATCH', url, admin.token, { body: { password: `${PASSWORD_2}\0` } });
    await call('patch by member', 'PATCH', url, member.token, { body: { password: PASSWORD_2 } });
    await call('patch by tam', 'PATCH', url, tam.token, { body: { password: PASSWORD_2 } });
    await call('patch, broken JSON', 'PATCH', url, admin.token, { rawBody: `{"password":"${PASSWORD_2}"` });
    const replaced = await call('patch new password', 'PATCH', url, admin.token, { body: { password: PASSWORD_2 } });
    assert.equal(replaced.status, 200, replaced.text);

    // The customer's checks (issue 14): before filing, with the typed password, refused or run (no server
    // answers in the test DNS zone, so each run stops at DNS), and on the request with its stored password.
    const check = (overrides: Record<string, unknown>) => validRequestBody({ username: USERNAME, password: PASSWORD_2, ...overrides });
    assert.equal((await call('check', 'POST', '/api/v1/smtp-checks', admin.token, { body: check({}) })).status, 200);
    await call('check, streamed', 'POST', '/api/v1/smtp-checks', admin.token, { body: check({}), headers: { accept: 'application/x-ndjson' } });
    await call('check with a bad host, zh-CN', 'POST', '/api/v1/smtp-checks', admin.token, { body: check({ host: 'bad host' }), headers: { 'accept-language': 'zh-CN' } });
    await call('check with a CR in the password', 'POST', '/api/v1/smtp-checks', admin.token, { body: check({ password: `${PASSWORD_2}\r\n` }) });
    await call('check by a member', 'POST', '/api/v1/smtp-checks', member.token, { body: check({}) });
    await call('check by the TAM', 'POST', '/api/v1/smtp-checks', tam.token, { body: check({}) });
    await call('check, broken JSON', 'POST', '/api/v1/smtp-checks', admin.token, { rawBody: `{"password":"${PASSWORD_2}",` });
    assert.equal((await call('check the request', 'POST', `${url}/check`, admin.token)).status, 200);
    await call('check the request, by the TAM', 'POST', `${url}/check`, tam.token);

    // The conversation around it, and a comment that mentions a password by name.
    await call('comment', 'POST', `${url}/comments`, admin.token, { body: { body: 'We rotated the password yesterday.' } });
    await call('internal comment', 'POST', `${url}/comments`, tam.token, { body: { body: 'Asked for an app password.', internal: true } });
    await call('take', 'POST', `${url}/transitions`, tam.token, { body: { to: 'in_review' } });
    await call('needs_info', 'POST', `${url}/transitions`, tam.token, { body: { to: 'needs_info', comment: 'Is SMTP AUTH enabled for the mailbox?' } });
    await call('bad transition', 'POST', `${url}/transitions`, tam.token, { body: { to: 'applied', password: PASSWORD_2 } });
    await call('resubmit', 'PATCH', url, admin.token, { body: { notes: 'enabled it' } });
    await call('comments after', 'GET', `${url}/comments`, tam.token);
    await call('withdraw', 'POST', `${url}/transitions`, admin.token, { body: { to: 'withdrawn' } });
    await call('verify', 'GET', '/api/v1/audit-events/verify', auditor.token);
    await call('get after', 'GET', url, admin.token);

    assert.ok(responses.length > 40);
    for (const [label, text] of responses) assertClean(`response "${label}"`, text);

    const row = await db.smtpRequest.findUniqueOrThrow({ where: { id } });
    for (const [label, text] of responses) assert.ok(!text.includes(row.passwordCipher!), `response "${label}" carries the ciphertext`);

    const events = await db.auditEvent.findMany({ orderBy: { seq: 'asc' } });
    assert.ok(
      events.some((e) => e.action === 'request.edited' && e.targetId === id && e.after?.includes('"password":"changed"')),
      'the password change is audited as "changed"',
    );
    for (const e of events) assertClean(`audit event ${e.seq} (${e.action})`, JSON.stringify(e));

    // Every column of every table, ciphertext included: none holds the password in a readable form.
    const tables = await Promise.all([
      db.tenant.findMany(),
      db.user.findMany(),
      db.tamAssignment.findMany(),
      db.apiToken.findMany(),
      db.signInThrottle.findMany(),
      db.counter.findMany(),
      db.smtpRequest.findMany(),
      db.comment.findMany(),
      db.auditEvent.findMany(),
      db.probeRun.findMany(),
    ]);
    assertClean('the database', JSON.stringify(tables));

    assertClean('the console', log.text());
    assert.equal(tenant.id, row.tenantId);
  } finally {
    log.restore();
  }
});

test('the stored password is ciphertext that decrypts only on its own tenant and request', async () => {
  const tenant = await makeTenant();
  const admin = await makeUser('customer-admin', tenant.slug);
  const elsewhere = { tenant: await makeTenant() };
  const elsewhereAdmin = await makeUser('customer-admin', elsewhere.tenant.slug);
  const mine = await createRequest(admin, validRequestBody({ username: USERNAME, password: PASSWORD }));
  const sibling = await createRequest(admin, validRequestBody({ password: 'Sibling-Pa55' }));
  const foreign = await createRequest(elsewhereAdmin, validRequestBody({ password: 'Foreign-Pa55' }));

  const { passwordCipher } = await db.smtpRequest.findUniqueOrThrow({ where: { id: mine.id } });
  assert.ok(passwordCipher);
  assert.deepEqual(leakedForms(passwordCipher, FORMS), []);
  assert.equal(decryptSecret(passwordCipher, passwordBinding(tenant.id, mine.id)), PASSWORD);

  // Copied onto another request row, of the same tenant or of another, the ciphertext does not open.
  for (const [target, tenantId] of [
    [sibling, tenant.id],
    [foreign, elsewhere.tenant.id],
  ] as const) {
    await db.smtpRequest.update({ where: { id: target.id }, data: { passwordCipher } });
    const copied = (await db.smtpRequest.findUniqueOrThrow({ where: { id: target.id } })).passwordCipher!;
    assert.throws(() => decryptSecret(copied, passwordBinding(tenantId, target.id)), /unable to authenticate|auth/i);
  }
  // Nor under its own request id with another tenant's binding.
  assert.throws(() => decryptSecret(passwordCipher, passwordBinding(elsewhere.tenant.id, mine.id)));
});

// The OAuth credentials are write-only like the password: plain, base64 or any single line of a PEM or key file.
test('OAuth client secrets, private keys and service-account keys appear in no response, problem, audit event, bundle, log line or column', async () => {
  const creds = await oauthCredentials();
  const forms = [creds.clientSecret, creds.privateKey, creds.serviceAccountKey, JSON.parse(creds.serviceAccountKey).private_key_id as string].flatMap((s) => credentialForms(s));
  const clean = (label: string, text: string) => assert.deepEqual(leakedForms(text, forms), [], `${label} leaks an OAuth credential`);
  const log = captureConsole();
  try {
    const { admin, member, tam } = await makeTenantWithPeople();
    const auditor = await makeUser('auditor');
    const responses: [string, string][] = [];
    const call = async (label: string, method: string, url: string, token: string, opts: { body?: unknown; rawBody?: string; headers?: Record<string, string> } = {}) => {
      const res = await api(method, url, { token, ...opts });
      responses.push([`${label} (${res.status})`, `${JSON.stringify([...res.headers])}\n${res.text}`]);
      return res;
    };
    // Refused: every kind of bad input carrying the credentials, in two languages.
    await call('bad tenant id', 'POST', '/api/v1/smtp-requests', admin.token, { body: microsoftBody({ oauthTenantId: 'x y', oauthClientSecret: creds.clientSecret }) });
    await call('key of another certificate', 'POST', '/api/v1/smtp-requests', admin.token, {
      body: microsoftBody({ oauthCertificate: creds.ecCertificate, oauthPrivateKey: creds.privateKey }),
      headers: { 'accept-language': 'zh-CN' },
    });
    await call('secret and certificate', 'POST', '/api/v1/smtp-requests', admin.token, {
      body: microsoftBody({ oauthClientSecret: creds.clientSecret, oauthCertificate: creds.certificate, oauthPrivateKey: creds.privateKey }),
    });
    await call('google, bad mailbox', 'POST', '/api/v1/smtp-requests', admin.token, { body: googleBody(creds.serviceAccountKey, { username: 'nobody' }) });
    await call('by a member', 'POST', '/api/v1/smtp-requests', member.token, { body: genericBody(creds.clientSecret) });
    await call('broken JSON', 'POST', '/api/v1/smtp-requests', admin.token, { rawBody: `{"oauthClientSecret":"${creds.clientSecret}",` });

    const ms = await call('microsoft', 'POST', '/api/v1/smtp-requests', admin.token, {
      body: microsoftBody({ oauthCertificate: creds.certificate, oauthPrivateKey: creds.privateKey }),
    });
    const google = await call('google', 'POST', '/api/v1/smtp-requests', admin.token, { body: googleBody(creds.serviceAccountKey) });
    const generic = await call('generic', 'POST', '/api/v1/smtp-requests', admin.token, { body: genericBody(creds.clientSecret) });
    for (const r of [ms, google, generic]) assert.equal(r.status, 201, r.text);
    const ids = [ms, google, generic].map((r) => r.body.id as string);
    for (const id of ids)
      for (const [who, user] of [
        ['admin', admin],
        ['tam', tam],
        ['auditor', auditor],
      ] as const)
        await call(`get ${id} as ${who}`, 'GET', `/api/v1/smtp-requests/${id}`, user.token);
    await call('list', 'GET', '/api/v1/smtp-requests?limit=100', tam.token);
    await call('patch notes', 'PATCH', `/api/v1/smtp-requests/${ids[0]}`, admin.token, { body: { notes: 'kept' } });
    await call('patch identity, key retyped wrongly', 'PATCH', `/api/v1/smtp-requests/${ids[0]}`, admin.token, {
      body: { oauthClientId: randomUUID(), oauthPrivateKey: creds.otherPrivateKey },
    });
    await call('patch secret with CR', 'PATCH', `/api/v1/smtp-requests/${ids[2]}`, admin.token, { body: { oauthClientSecret: `${creds.clientSecret}\r\n` } });
    await call('patch identity, no secret', 'PATCH', `/api/v1/smtp-requests/${ids[2]}`, admin.token, { body: { oauthTokenUrl: 'https://other.example.com/token' } });

    // A probe run's diagnostics bundle describes the configuration without the credentials.
    const request = await db.smtpRequest.findUniqueOrThrow({ where: { id: ids[1]! } });
    const runId = randomUUID();
    await db.probeRun.create({
      data: {
        id: runId,
        requestId: request.id,
        tenantId: request.tenantId,
        kind: 'validate',
        ok: false,
        fingerprint: request.fingerprint,
        recipient: request.testRecipient,
        startedAt: new Date(),
        durationMs: 1,
        steps: '[]',
        transcript: '[]',
        actorId: tam.id,
      },
    });
    const bundle = JSON.stringify(await diagnosticsBundle(tam, runId));
    clean('the diagnostics bundle', bundle);
    assert.match(bundle, /"oauthServiceAccountKey":"set"/);
    await call('bundle', 'GET', `/api/v1/probe-runs/${runId}/bundle`, tam.token);

    for (const [label, text] of responses) clean(`response "${label}"`, text);
    const rows = await db.smtpRequest.findMany({ where: { id: { in: ids } } });
    for (const row of rows)
      for (const cipher of [row.oauthClientSecretCipher, row.oauthPrivateKeyCipher, row.oauthServiceAccountKeyCipher].filter(Boolean)) {
        for (const [label, text] of responses) assert.ok(!text.includes(cipher!), `response "${label}" carries a ciphertext`);
      }
    const events = await db.auditEvent.findMany({ orderBy: { seq: 'asc' } });
    assert.ok(events.some((e) => e.targetId === ids[0] && e.action === 'request.created' && e.after?.includes('"oauthPrivateKey":"set"')));
    for (const e of events) clean(`audit event ${e.seq} (${e.action})`, JSON.stringify(e));
    clean('the database', JSON.stringify(await Promise.all([db.smtpRequest.findMany(), db.auditEvent.findMany(), db.probeRun.findMany(), db.comment.findMany()])));
    clean('the console', log.text());
  } finally {
    log.restore();
  }
});

test("RELAYDESK_SMTP_URL's password appears in no environment error, admin status, stored reply, log line or mail", async () => {
  const { readEnv } = await import('@/server/env');
  const { ownMailStatus } = await import('@/server/own-mail/own-mail-config');
  const { enqueueOwnMail } = await import('@/server/own-mail/enqueue-own-mail');
  const { startSink, allowLocalServers, testWorker, waitFor } = await import('../pipeline/helpers');
  const user = `relay-${randomBytes(3).toString('hex')}@ops.example`;
  const secret = `Own-${randomBytes(6).toString('hex')}-Mail`;
  const forms = passwordForms(secret, user);
  const clean = (label: string, text: string) => assert.deepEqual(leakedForms(text, forms), [], `${label} leaks RELAYDESK_SMTP_URL's password`);
  const saved = { url: process.env.RELAYDESK_SMTP_URL, from: process.env.RELAYDESK_MAIL_FROM };
  const log = captureConsole();
  // A server that refuses the password and repeats it in its answer (hostile or careless servers do).
  const server = await startSink({
    auth: ({ password }) => ({ code: 535, message: `5.7.8 Authentication failed for password ${password} (${Buffer.from(password).toString('base64')})` }),
  });
  await allowLocalServers(server.port);
  let worker: ReturnType<typeof testWorker> | null = null;
  try {
    for (const bad of [`smtp://${user}:${secret}@relay.example:587?tls=bogus`, `ftp://${user}:${secret}@relay.example`, `smtp://${user}:${secret}%zz@relay.example`]) {
      assert.throws(
        () => readEnv({ RELAYDESK_SMTP_URL: bad }),
        (error: Error) => {
          clean('the environment error', error.message);
          assert.match(error.message, /RELAYDESK_SMTP_URL/);
          return true;
        },
      );
    }
    process.env.RELAYDESK_SMTP_URL = `smtp://${encodeURIComponent(user)}:${encodeURIComponent(secret)}@localhost:${server.port}`;
    process.env.RELAYDESK_MAIL_FROM = 'Relaydesk <relaydesk@relaydesk.test>';
    const status = ownMailStatus();
    assert.equal(status.configured, true);
    clean('the admin status', JSON.stringify(status));
    assert.ok(!JSON.stringify(status).includes(user), 'not even the user name');
    // The worker reads RELAYDESK_SMTP_URL when it first has own mail to claim.
    worker = testWorker();

    await db.$transaction((tx) => enqueueOwnMail(tx, { to: 'someone@customer.test', locale: 'en', kind: 'request.taken', subject: 'Hello', text: 'Body', html: '<p>Body</p>' }));
    await waitFor('a failed attempt', async () => (await db.ownMail.findFirst({ where: { toAddress: 'someone@customer.test', attempts: { gt: 0 } } })) !== null, 20_000);
    const rows = await db.ownMail.findMany();
    assert.ok(
      rows.some((r) => r.lastReply?.includes('535')),
      'the refusal is kept',
    );
    clean('the stored rows', JSON.stringify(rows));
    clean('the mails received', server.received.map((m) => m.raw).join('\n'));
    clean('the console', log.text());
  } finally {
    await worker?.stop(200);
    await server.close();
    log.restore();
    process.env.RELAYDESK_SMTP_URL = saved.url;
    process.env.RELAYDESK_MAIL_FROM = saved.from;
    if (saved.url === undefined) delete process.env.RELAYDESK_SMTP_URL;
    if (saved.from === undefined) delete process.env.RELAYDESK_MAIL_FROM;
  }
});

// An invitation link is a credential until used: it goes into the mail (marked sensitive) and nowhere else.
test('invitation tokens and the password set with them appear in no return value, error, audit event, log line or column', async () => {
  const log = captureConsole();
  try {
    const { tenant, admin: customerAdmin } = await makeTenantWithPeople();
    const staffAdmin = await makeUser('admin');
    const origin = 'https://relaydesk.test';
    const chosen = `Inv1te-${randomBytes(6).toString('hex')}-Secret`;
    const outputs: [string, string][] = [];
    const keep = async (label: string, call: Promise<unknown>) => {
      try {
        outputs.push([label, JSON.stringify(await call)]);
      } catch (error) {
        outputs.push([`${label} (refused)`, `${String(error)} ${JSON.stringify(error)}`]);
        if (error instanceof AppError) outputs.push([`${label} (problem)`, await problemFromError(error).text()]);
      }
    };
    const meta = { ip: '198.51.100.99', userAgent: 'secrets test', requestId: null };
    const first = await createInvitation(
      staffAdmin,
      { email: `${randomBytes(4).toString('hex')}@example.test`, name: 'Sec Ret', role: 'customer-member', tenant: tenant.slug, locale: 'en' },
      { origin },
    );
    outputs.push(['create', JSON.stringify(first)]);
    await keep('resend', resendInvitation(staffAdmin, first.id, { origin }));
    const second = await createInvitation(
      customerAdmin,
      { email: `${randomBytes(4).toString('hex')}@example.test`, name: '秘密', role: 'customer-admin', locale: 'zh-CN' },
      { origin },
    );
    await keep('list as admin', listInvitations(staffAdmin));
    await keep('list as customer admin', listInvitations(customerAdmin));

    const mails = [...(await readQueuedOwnMail(first.email)), ...(await readQueuedOwnMail(second.email))];
    assert.equal(mails.length, 3);
    assert.ok(
      mails.every((m) => m.sensitive === true),
      'every invitation mail is marked sensitive',
    );
    const tokens = mails.map((m) => /\/invitations\/(rdi_[\w-]+)/.exec(m.text)![1]!);
    const forms = [...tokens.flatMap((t) => passwordForms(t)), ...passwordForms(chosen)];
    const clean = (label: string, text: string) => assert.deepEqual(leakedForms(text, forms), [], `${label} leaks an invitation token or the chosen password`);

    const [, resent, zh] = tokens as [string, string, string];
    await keep('open', openInvitation(resent, meta));
    await keep('accept, short password', acceptInvitation(resent, { password: 'short', confirm: 'short' }, meta));
    await keep('accept, confirmation differs', acceptInvitation(resent, { password: chosen, confirm: `${chosen}!` }, meta));
    await keep('accept, replaced link', acceptInvitation(tokens[0]!, { password: chosen, confirm: chosen }, meta));
    await keep('accept, mangled link', acceptInvitation(`${resent}x`, { password: chosen, confirm: chosen }, meta));
    await keep('accept', acceptInvitation(resent, { password: chosen, confirm: chosen }, meta));
    await keep('accept again', acceptInvitation(resent, { password: chosen, confirm: chosen }, meta));
    await keep('revoke', revokeInvitation(customerAdmin, second.id));
    await keep('open revoked', openInvitation(zh, meta));
    await keep('accept revoked', acceptInvitation(zh, { password: chosen, confirm: chosen }, meta));

    for (const [label, text] of outputs) clean(label, text);
    const events = await db.auditEvent.findMany({ orderBy: { seq: 'asc' } });
    assert.ok(events.some((e) => e.action === 'invitation.accepted'));
    for (const e of events) clean(`audit event ${e.seq} (${e.action})`, JSON.stringify(e));
    clean('the database', JSON.stringify(await Promise.all([db.invitation.findMany(), db.user.findMany(), db.auditEvent.findMany(), db.signInThrottle.findMany()])));
    clean('the console', log.text());
  } finally {
    log.restore();
  }
});
