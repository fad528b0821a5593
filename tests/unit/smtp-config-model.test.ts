// The one SMTP-configuration model: its derived lists, the kept-secret state, and the OAuth rules per provider.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import {
  CONFIG_FIELDS,
  DESTINATION_FIELDS,
  REQUEST_FIELDS,
  SECRET_FIELDS,
  SmtpRequestPatchSchema,
  ConfigViewSchema,
  RequestConfigViewSchema,
  emptyFormValues,
  formInput,
  formValuesOf,
  keptSecrets,
  oauthSettingsOf,
  secretFlagsOf,
  smtpRequestSchema,
  type ConfigContent,
} from '@/lib/smtp-config-model';
import { fieldErrors } from '@/lib/smtp-request-schema';
import { oauthCredentials, microsoftBody, googleBody, genericBody, TENANT_ID } from '../helpers/oauth-request-bodies';

const creds = await oauthCredentials();

function codes(body: Record<string, unknown>, kept = {}) {
  const r = smtpRequestSchema(kept).safeParse(body);
  return r.success
    ? {}
    : Object.fromEntries(
        fieldErrors(r.error)
          .reverse()
          .map((e) => [e.path, e.message]),
      );
}

test('one list of secrets and one of destination and identity fields, derived from the model', () => {
  assert.deepEqual([...SECRET_FIELDS], ['password', 'oauthClientSecret', 'oauthPrivateKey', 'oauthServiceAccountKey']);
  assert.deepEqual(
    [...DESTINATION_FIELDS].sort(),
    ['encryption', 'host', 'oauthCertificate', 'oauthClientId', 'oauthCloud', 'oauthProvider', 'oauthTenantId', 'oauthTokenUrl', 'port', 'username'].sort(),
  );
  assert.ok(!CONFIG_FIELDS.includes('notes' as never) && REQUEST_FIELDS.includes('notes'));
  for (const k of SECRET_FIELDS) assert.ok(!REQUEST_FIELDS.includes(k as never), `${k} is never stored in clear`);
  // Views say has…, never the value.
  const view = Object.keys(RequestConfigViewSchema.shape);
  assert.deepEqual(view.filter((k) => /password|secret|privatekey|serviceaccount/i.test(k)).sort(), [
    'hasOauthClientSecret',
    'hasOauthPrivateKey',
    'hasOauthServiceAccountKey',
    'hasPassword',
  ]);
  assert.deepEqual(Object.keys(ConfigViewSchema.shape).length, CONFIG_FIELDS.length + SECRET_FIELDS.length);
  assert.deepEqual(secretFlagsOf({ passwordCipher: 'x', oauthClientSecretCipher: null, oauthPrivateKeyCipher: null, oauthServiceAccountKeyCipher: 'y' }), {
    hasPassword: true,
    hasOauthClientSecret: false,
    hasOauthPrivateKey: false,
    hasOauthServiceAccountKey: true,
  });
});

test('a kept password is a state of the schema, not a value', () => {
  const body = { host: 'smtp.example.com', port: 587, encryption: 'starttls', authMethod: 'login', username: 'u', noReplyAddress: 'n@example.com', testRecipient: 't@example.com' };
  assert.equal(codes(body).password, 'required');
  assert.deepEqual(codes(body, { password: true }), {});
  const parsed = smtpRequestSchema({ password: true }).parse(body);
  assert.equal('password' in parsed, false, 'nothing stands in for the kept password');
  const stored = { hasPassword: true, hasOauthClientSecret: false, hasOauthPrivateKey: false, hasOauthServiceAccountKey: false };
  assert.deepEqual(keptSecrets(stored, body, { ...body, noReplyName: 'x' }), { password: true });
  assert.deepEqual(keptSecrets(stored, body, { ...body, port: '2525' }), {}, 'a changed destination keeps nothing');
  assert.deepEqual(keptSecrets(stored, body, { ...body, port: '587' }), { password: true }, 'the form compares text');
});

test('Microsoft: tenant id, client id and one credential; the cloud defaults to global; the mailbox is the username', () => {
  assert.deepEqual(codes(microsoftBody({ oauthClientSecret: creds.clientSecret })), {});
  const parsed = smtpRequestSchema().parse(
    microsoftBody({ oauthClientSecret: creds.clientSecret, oauthCloud: undefined, oauthTokenUrl: 'https://ignored.example', password: 'ignored' }),
  );
  assert.equal(parsed.oauthCloud, 'global');
  assert.equal(parsed.oauthTokenUrl, null, 'a field the provider does not use is not stored');
  assert.equal(parsed.password, undefined, 'nor a password');
  assert.deepEqual(codes(microsoftBody({ oauthCertificate: creds.certificate, oauthPrivateKey: creds.privateKey })), {});

  assert.deepEqual(codes(microsoftBody({ oauthTenantId: '', oauthClientId: '' })), { oauthTenantId: 'required', oauthClientId: 'required', oauthClientSecret: 'required' });
  assert.equal(codes(microsoftBody({ oauthClientSecret: 'x', oauthTenantId: 'not a tenant' })).oauthTenantId, 'oauthTenantIdInvalid');
  assert.deepEqual(codes(microsoftBody({ oauthClientSecret: 'x', oauthTenantId: 'contoso.onmicrosoft.com' })), {});
  assert.equal(codes(microsoftBody({ oauthClientSecret: 'x', oauthClientId: 'my-app' })).oauthClientId, 'oauthClientIdInvalid');
  assert.equal(codes(microsoftBody({ oauthClientSecret: 'x', username: 'mailer' })).username, 'oauthMailboxInvalid');
  assert.equal(codes(microsoftBody({ oauthClientSecret: 'x', oauthCloud: 'moon' })).oauthCloud, 'choose');
  assert.equal(codes(microsoftBody({ oauthClientSecret: 'x', oauthCertificate: creds.certificate, oauthPrivateKey: creds.privateKey })).oauthClientSecret, 'oauthOneCredential');
  assert.equal(codes(microsoftBody({ oauthPrivateKey: creds.privateKey })).oauthCertificate, 'required');
  assert.equal(codes(microsoftBody({ oauthCertificate: creds.certificate })).oauthPrivateKey, 'required');
  assert.equal(codes(microsoftBody({ oauthCertificate: 'MIIB...', oauthPrivateKey: creds.privateKey })).oauthCertificate, 'oauthCertificateInvalid');
  assert.equal(codes(microsoftBody({ oauthCertificate: creds.certificate, oauthPrivateKey: creds.certificate })).oauthPrivateKey, 'oauthPrivateKeyInvalid');
  assert.equal(
    codes(microsoftBody({ oauthCertificate: creds.certificate, oauthPrivateKey: '-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----' }))
      .oauthPrivateKey,
    'oauthPrivateKeyEncrypted',
  );
  assert.equal(codes(microsoftBody({ oauthClientSecret: `${creds.clientSecret}\r\n` })).oauthClientSecret, 'controlCharacters');
  assert.equal(codes(microsoftBody({ oauthTenantId: `${TENANT_ID}\n`, oauthClientSecret: 'x' })).oauthTenantId, 'controlCharacters');
});

test('Google: a service-account key with client_email and private_key, and the mailbox to act as', () => {
  assert.deepEqual(codes(googleBody(creds.serviceAccountKey)), {});
  assert.equal(codes(googleBody('')).oauthServiceAccountKey, 'required');
  assert.equal(codes(googleBody('{not json')).oauthServiceAccountKey, 'oauthServiceAccountKeyNotJson');
  assert.equal(codes(googleBody('[1]')).oauthServiceAccountKey, 'oauthServiceAccountKeyNotJson');
  const key = JSON.parse(creds.serviceAccountKey) as Record<string, unknown>;
  assert.equal(codes(googleBody(JSON.stringify({ ...key, client_email: undefined }))).oauthServiceAccountKey, 'oauthServiceAccountKeyNoClientEmail');
  assert.equal(codes(googleBody(JSON.stringify({ ...key, private_key: 'abc' }))).oauthServiceAccountKey, 'oauthServiceAccountKeyNoPrivateKey');
  assert.deepEqual(codes(googleBody(JSON.stringify({ ...key, token_uri: 'http://evil.example/token' }))), {}, 'token_uri is ignored');
  assert.equal(codes(googleBody(creds.serviceAccountKey, { username: '' })).username, 'required');
});

test('generic: token URL (http or https), client id, client secret and scope', () => {
  assert.deepEqual(codes(genericBody(creds.clientSecret)), {});
  assert.deepEqual(codes(genericBody(creds.clientSecret, { oauthTokenUrl: 'http://127.0.0.1:8080/token', username: 'not-an-email' })), {});
  assert.deepEqual(codes(genericBody('', { oauthTokenUrl: '', oauthClientId: '', oauthScope: '' })), {
    oauthTokenUrl: 'required',
    oauthClientId: 'required',
    oauthScope: 'required',
    oauthClientSecret: 'required',
  });
  for (const bad of ['ftp://id.example.com/token', 'id.example.com/token', 'https://', 'https://id.example.com/a b', 'javascript:alert(1)']) {
    assert.equal(codes(genericBody('s', { oauthTokenUrl: bad })).oauthTokenUrl, 'oauthTokenUrlInvalid', bad);
  }
  assert.equal(codes({ ...genericBody('s'), oauthProvider: 'okta' }).oauthProvider, 'choose');
  assert.equal(codes({ ...genericBody('s'), oauthProvider: undefined }).oauthProvider, 'required');
});

test('OAuth fields of another method are not stored, and a patch applies no defaults', () => {
  const parsed = smtpRequestSchema().parse({ ...microsoftBody({ oauthClientSecret: 'x' }), authMethod: 'login', password: 'pw' });
  for (const k of ['oauthProvider', 'oauthCloud', 'oauthTenantId', 'oauthClientId', 'oauthCertificate', 'oauthTokenUrl', 'oauthScope'] as const) assert.equal(parsed[k], null, k);
  assert.equal(parsed.oauthClientSecret, undefined);
  assert.equal(parsed.password, 'pw');
  assert.deepEqual(SmtpRequestPatchSchema.parse({ oauthTenantId: 'contoso.onmicrosoft.com' }), { oauthTenantId: 'contoso.onmicrosoft.com' });
  assert.equal(SmtpRequestPatchSchema.safeParse({ oauthTokenUrl: 'ftp://x' }).success, false);
});

test('the OAuth settings of a configuration (the seam with the token code)', () => {
  const config = smtpRequestSchema().parse(
    microsoftBody({ oauthCertificate: creds.certificate, oauthPrivateKey: creds.privateKey, oauthCloud: 'china' }),
  ) as unknown as ConfigContent;
  assert.deepEqual(oauthSettingsOf(config, { oauthPrivateKey: creds.privateKey }), {
    provider: 'microsoft',
    cloud: 'china',
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
  assert.equal(oauthSettingsOf({ ...config, authMethod: 'login' }, {}), null);
  assert.ok(z.toJSONSchema(smtpRequestSchema(), { io: 'input', unrepresentable: 'any' }));
});

test('the form’s values and what it sends derive from the model', () => {
  const empty = emptyFormValues();
  assert.deepEqual(Object.keys(empty).sort(), [...REQUEST_FIELDS, ...SECRET_FIELDS].sort());
  assert.ok(
    Object.values(empty).every((v) => v === '' || v === false),
    'text fields empty, yes/no fields unchecked',
  );
  assert.equal(empty.plaintextAuthAcknowledged, false);
  const values = {
    ...empty,
    host: 'smtp.example.com',
    port: '587',
    encryption: 'starttls',
    authMethod: 'login',
    username: 'u',
    oauthProvider: 'microsoft',
    oauthTenantId: 'stale',
    oauthClientSecret: 'stale',
  };
  const sent = formInput(values);
  assert.equal(sent.oauthTenantId, undefined, 'fields of another method are not sent');
  assert.equal(sent.oauthClientSecret, undefined);
  assert.equal('password' in sent, false, 'an empty secret is not sent (it keeps the stored one)');
  assert.equal(formInput({ ...values, password: 'pw' }).password, 'pw');
  const microsoft = formInput({ ...values, authMethod: 'oauth2', oauthClientSecret: 's' });
  assert.deepEqual([microsoft.oauthTenantId, microsoft.oauthClientSecret, microsoft.oauthScope], ['stale', 's', undefined]);
  const view = smtpRequestSchema().parse(microsoftBody({ oauthClientSecret: 'x' }));
  const again = formValuesOf(view as never);
  assert.equal(again.port, '587');
  assert.equal(again.oauthTokenUrl, '', 'null shows as an empty field');
  assert.equal(again.oauthClientSecret, '', 'a secret is never prefilled');
});

test('the second redaction pass of a live check knows every line of a key file', async () => {
  const { secretFragments } = await import('@/server/requests/secret-columns');
  const fragments = secretFragments({ oauthPrivateKey: creds.privateKey, oauthServiceAccountKey: creds.serviceAccountKey });
  const keyLines = creds.privateKey.split('\n').filter((l) => l.length >= 16 && !l.startsWith('-----'));
  const saLines = creds.serviceAccountPrivateKey.split('\n').filter((l) => l.length >= 16 && !l.startsWith('-----'));
  for (const line of [...keyLines, ...saLines]) assert.ok(fragments.includes(line));
  assert.ok(fragments.includes(JSON.parse(creds.serviceAccountKey).private_key_id));
  assert.ok(!fragments.includes('-----BEGIN PRIVATE KEY-----'), 'PEM armour is not secret (and would redact every key)');
});
