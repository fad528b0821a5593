import '../helpers/test-env';
// OAuth credentials are write-only like the password: stored encrypted (bound to row and field), said only
// as has…, dropped when the destination or identity changes, carried into config versions by apply and
// rollback, and handed to the pipeline as its OAuth settings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { api } from '../helpers/api';
import { db, makeTenantWithPeople } from '../helpers/factories';
import { oauthCredentials, microsoftBody, googleBody, genericBody, TENANT_ID } from '../helpers/oauth-request-bodies';
import { decryptSecret } from '@/server/crypto/secret-box';
import { requestSecretBinding } from '@/server/requests/request-fields';
import { versionSecretBinding } from '@/server/config-versions/version-binding';
import { TenantTransports } from '@/server/pipeline/tenant-transports';

const creds = await oauthCredentials();
type Person = { token: string };

async function file(admin: Person, body: Record<string, unknown>) {
  const res = await api('POST', '/api/v1/smtp-requests', { token: admin.token, body });
  assert.equal(res.status, 201, res.text);
  return res.body as Record<string, unknown> & { id: string; fingerprint: string };
}

const errorsOf = (res: { body: { errors?: { path: string; code: string }[] } }) => Object.fromEntries((res.body.errors ?? []).map((e) => [e.path, e.code]));

test('each provider files its fields; the views say only which credentials are set', async () => {
  const { admin, tam } = await makeTenantWithPeople();
  const ms = await file(admin, microsoftBody({ oauthClientSecret: creds.clientSecret, oauthCloud: 'china', host: 'smtp.partner.outlook.cn' }));
  assert.deepEqual(
    {
      provider: ms.oauthProvider,
      cloud: ms.oauthCloud,
      tenant: ms.oauthTenantId,
      secret: ms.hasOauthClientSecret,
      key: ms.hasOauthPrivateKey,
      sa: ms.hasOauthServiceAccountKey,
      pw: ms.hasPassword,
    },
    { provider: 'microsoft', cloud: 'china', tenant: TENANT_ID, secret: true, key: false, sa: false, pw: false },
  );
  assert.equal('oauthClientSecret' in ms, false);
  const cert = await file(admin, microsoftBody({ oauthCertificate: creds.certificate, oauthPrivateKey: creds.privateKey }));
  assert.equal(cert.hasOauthPrivateKey, true);
  assert.equal(cert.oauthCertificate, creds.certificate, 'the certificate is public and shown');
  assert.equal(cert.hasOauthClientSecret, false);
  const google = await file(admin, googleBody(creds.serviceAccountKey));
  assert.equal(google.hasOauthServiceAccountKey, true);
  assert.equal(google.oauthCloud, null);
  const generic = await file(admin, genericBody(creds.clientSecret));
  assert.deepEqual([generic.oauthTokenUrl, generic.oauthScope, generic.hasOauthClientSecret], ['https://id.example.com/oauth2/token', 'smtp.send', true]);

  const read = await api('GET', `/api/v1/smtp-requests/${google.id}`, { token: tam.token });
  assert.equal(read.body.hasOauthServiceAccountKey, true);
  assert.ok(!read.text.includes('private_key'));

  // Each ciphertext is bound to its request and field: it opens there and nowhere else.
  const row = await db.smtpRequest.findUniqueOrThrow({ where: { id: ms.id } });
  assert.equal(decryptSecret(row.oauthClientSecretCipher!, requestSecretBinding(row.tenantId, ms.id, 'oauthClientSecret')), creds.clientSecret);
  assert.throws(() => decryptSecret(row.oauthClientSecretCipher!, requestSecretBinding(row.tenantId, ms.id, 'password')));
  assert.throws(() => decryptSecret(row.oauthClientSecretCipher!, requestSecretBinding(row.tenantId, generic.id, 'oauthClientSecret')));
});

test('PEM and key files are parsed on the server, and the error names the field', async () => {
  const { admin } = await makeTenantWithPeople();
  const before = await db.smtpRequest.count();
  const cases: [Record<string, unknown>, Record<string, string>][] = [
    [microsoftBody({ oauthCertificate: creds.certificate, oauthPrivateKey: creds.otherPrivateKey }), { oauthPrivateKey: 'oauthKeyMismatch' }],
    [microsoftBody({ oauthCertificate: creds.ecCertificate, oauthPrivateKey: creds.ecPrivateKey }), { oauthPrivateKey: 'oauthPrivateKeyNotRsa' }],
    [
      microsoftBody({ oauthCertificate: creds.certificate.replace(/\n[A-Za-z0-9+/]{20}/, '\nAAAAAAAAAAAAAAAAAAAA'), oauthPrivateKey: creds.privateKey }),
      { oauthCertificate: 'oauthCertificateInvalid' },
    ],
    [
      microsoftBody({ oauthCertificate: creds.certificate, oauthPrivateKey: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----' }),
      { oauthPrivateKey: 'oauthPrivateKeyInvalid' },
    ],
    [
      googleBody(JSON.stringify({ ...JSON.parse(creds.serviceAccountKey), private_key: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----' })),
      { oauthServiceAccountKey: 'oauthServiceAccountKeyNoPrivateKey' },
    ],
  ];
  for (const [body, expected] of cases) {
    const res = await api('POST', '/api/v1/smtp-requests', { token: admin.token, body });
    assert.equal(res.status, 422, res.text);
    assert.deepEqual(errorsOf(res), expected);
    assert.ok(!res.text.includes('PRIVATE KEY'), 'the problem never echoes the key');
  }
  const zh = await api('POST', '/api/v1/smtp-requests', { token: admin.token, body: cases[0]![0], headers: { 'accept-language': 'zh-CN' } });
  assert.match(zh.body.errors[0].message, /证书/);
  assert.equal(await db.smtpRequest.count(), before, 'nothing was stored');
});

test('credentials are kept by an edit of other fields and dropped when the destination or identity changes', async () => {
  const { admin } = await makeTenantWithPeople();
  const ms = await file(admin, microsoftBody({ oauthClientSecret: creds.clientSecret }));
  const url = `/api/v1/smtp-requests/${ms.id}`;
  const notes = await api('PATCH', url, { token: admin.token, body: { notes: 'kept', oauthClientSecret: '' } });
  assert.equal(notes.status, 200, notes.text);
  assert.equal(notes.body.hasOauthClientSecret, true);
  assert.equal(notes.body.fingerprint, ms.fingerprint, 'notes are not part of the configuration');

  for (const change of [
    { oauthTenantId: 'contoso.onmicrosoft.com' },
    { oauthClientId: randomUUID() },
    { oauthCloud: 'usgov' },
    { host: 'smtp.office365.us' },
    { username: 'other@contoso.example' },
  ]) {
    const refused = await api('PATCH', url, { token: admin.token, body: change });
    assert.equal(refused.status, 422, `${JSON.stringify(change)}: ${refused.text}`);
    assert.deepEqual(errorsOf(refused), { oauthClientSecret: 'secretRetype' }, JSON.stringify(change));
  }
  const retyped = await api('PATCH', url, { token: admin.token, body: { oauthTenantId: 'contoso.onmicrosoft.com', oauthClientSecret: `${creds.clientSecret}-2` } });
  assert.equal(retyped.status, 200, retyped.text);
  assert.notEqual(retyped.body.fingerprint, ms.fingerprint);

  // Switching to the certificate credential: the client secret is no longer stored.
  const switched = await api('PATCH', url, { token: admin.token, body: { oauthCertificate: creds.certificate, oauthPrivateKey: creds.privateKey } });
  assert.equal(switched.status, 200, switched.text);
  assert.deepEqual([switched.body.hasOauthClientSecret, switched.body.hasOauthPrivateKey], [false, true]);
  const row = await db.smtpRequest.findUniqueOrThrow({ where: { id: ms.id } });
  assert.equal(row.oauthClientSecretCipher, null);

  // Back to a password: every OAuth field and credential is gone.
  const password = await api('PATCH', url, { token: admin.token, body: { authMethod: 'login', password: 'Pa55-word-x' } });
  assert.equal(password.status, 200, password.text);
  assert.deepEqual([password.body.oauthProvider, password.body.oauthCertificate, password.body.hasOauthPrivateKey, password.body.hasPassword], [null, null, false, true]);

  const events = await db.auditEvent.findMany({ where: { targetId: ms.id, action: 'request.edited' }, orderBy: { seq: 'asc' } });
  assert.ok(
    events.some((e) => e.after?.includes('"oauthClientSecret":"changed"')),
    'a new secret is audited as "changed"',
  );
  assert.ok(events.some((e) => e.after?.includes('"oauthPrivateKey":"changed"') && e.after.includes('"oauthClientSecret":"not set"')));
});

async function markTested(requestId: string, tamId: string) {
  // The live check with XOAUTH2 belongs to the token work; here only its record: a test-send of this fingerprint.
  const request = await db.smtpRequest.findUniqueOrThrow({ where: { id: requestId } });
  await db.smtpRequest.update({ where: { id: requestId }, data: { status: 'tested' } });
  await db.probeRun.create({
    data: {
      id: randomUUID(),
      requestId,
      tenantId: request.tenantId,
      kind: 'test-send',
      ok: true,
      fingerprint: request.fingerprint,
      recipient: request.testRecipient,
      startedAt: new Date(),
      durationMs: 1,
      steps: '[]',
      transcript: '[]',
      actorId: tamId,
    },
  });
}

test('apply and rollback carry the credentials into versions bound to them; the pipeline gets the OAuth settings', async () => {
  const people = await makeTenantWithPeople();
  const { admin, tam, tenant } = people;
  const taken = async (body: Record<string, unknown>) => {
    const r = await file(admin, body);
    assert.equal((await api('POST', `/api/v1/smtp-requests/${r.id}/transitions`, { token: tam.token, body: { to: 'in_review' } })).status, 200);
    await markTested(r.id, tam.id);
    const applied = await api('POST', `/api/v1/smtp-requests/${r.id}/apply`, { token: tam.token });
    assert.equal(applied.status, 201, applied.text);
    return applied;
  };
  const v1 = await taken(microsoftBody({ oauthCertificate: creds.certificate, oauthPrivateKey: creds.privateKey, oauthCloud: 'usgov', host: 'smtp.office365.us' }));
  assert.deepEqual([v1.body.version, v1.body.oauthProvider, v1.body.oauthCloud, v1.body.hasOauthPrivateKey], [1, 'microsoft', 'usgov', true]);
  assert.ok(!v1.text.includes(creds.privateKey.split('\n')[1]!));
  const v2 = await taken(googleBody(creds.serviceAccountKey));
  assert.equal(v2.body.hasOauthServiceAccountKey, true);

  const stored = await db.configVersion.findFirstOrThrow({ where: { tenantId: tenant.id, version: 1 } });
  assert.equal(decryptSecret(stored.oauthPrivateKeyCipher!, versionSecretBinding(tenant.id, 1, 'oauthPrivateKey')), creds.privateKey);
  assert.throws(() => decryptSecret(stored.oauthPrivateKeyCipher!, versionSecretBinding(tenant.id, 2, 'oauthPrivateKey')), 'bound to its version');

  const diff = await api('GET', `/api/v1/tenants/${tenant.slug}/smtp-config`, { token: tam.token });
  assert.equal(diff.status, 200);
  assert.ok(!diff.text.includes('private_key') && !diff.text.includes(creds.clientSecret));

  const rolled = await api('POST', `/api/v1/tenants/${tenant.slug}/smtp-config/rollback`, { token: tam.token, body: { version: 1 } });
  assert.equal(rolled.status, 201, rolled.text);
  assert.deepEqual([rolled.body.version, rolled.body.copiedFrom, rolled.body.hasOauthPrivateKey], [3, 1, true]);

  const transports = new TenantTransports();
  assert.deepEqual((await transports.config(tenant.id, 3)).oauth, {
    provider: 'microsoft',
    cloud: 'usgov',
    tenantId: TENANT_ID,
    clientId: '00000000-1111-2222-3333-444444444444',
    clientSecret: null,
    certificate: creds.certificate,
    privateKey: creds.privateKey,
    serviceAccountKey: null,
    tokenUrl: null,
    scope: null,
    mailbox: 'notifications@contoso.example',
  });
  const google = (await transports.config(tenant.id, 2)).oauth;
  assert.deepEqual([google?.provider, google?.serviceAccountKey, google?.mailbox], ['google', creds.serviceAccountKey, 'notifications@example.com']);
  assert.equal((await transports.config(tenant.id, 2)).password, null);

  const applied = await db.auditEvent.findFirstOrThrow({ where: { tenantId: tenant.id, action: 'config.applied' }, orderBy: { seq: 'asc' } });
  assert.match(applied.after!, /"oauthPrivateKey":"set"/);
  assert.ok(!applied.after!.includes('PRIVATE KEY-----\n'));
});
