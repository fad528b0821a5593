import '../helpers/test-env';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, V1_ROUTES } from '../helpers/api';

test('the OpenAPI document is public and describes every route and method', async () => {
  const res = await api('GET', '/api/v1/openapi.json');
  assert.equal(res.status, 200);
  assert.equal(res.body.openapi, '3.1.0');
  const paths = res.body.paths as Record<string, Record<string, unknown>>;
  for (const [pattern, module] of Object.entries(V1_ROUTES)) {
    const documented = pattern.replace(/\[(\w+)\]/g, '{$1}');
    assert.ok(paths[documented], `${documented} is documented`);
    for (const method of Object.keys(module).filter((k) => /^[A-Z]+$/.test(k))) {
      assert.ok(paths[documented]![method.toLowerCase()], `${method} ${documented} is documented`);
    }
  }
  const create = res.body.components.schemas.SmtpRequestCreate;
  assert.deepEqual(create.required.sort(), ['authMethod', 'encryption', 'host', 'noReplyAddress', 'port', 'testRecipient']);
});

test('the OpenAPI document shows the OAuth fields: write-only credentials in, has… flags out', async () => {
  const { schemas } = (await api('GET', '/api/v1/openapi.json')).body.components;
  const create = schemas.SmtpRequestCreate;
  assert.ok(create.properties.authMethod.enum.includes('oauth2'));
  assert.deepEqual(create.properties.oauthProvider.anyOf?.[0]?.enum ?? create.properties.oauthProvider.enum, ['microsoft', 'google', 'generic']);
  for (const k of [
    'oauthCloud',
    'oauthTenantId',
    'oauthClientId',
    'oauthClientSecret',
    'oauthCertificate',
    'oauthPrivateKey',
    'oauthServiceAccountKey',
    'oauthTokenUrl',
    'oauthScope',
  ]) {
    assert.ok(create.properties[k], `SmtpRequestCreate.${k}`);
    assert.ok(schemas.SmtpRequestPatch.properties[k], `SmtpRequestPatch.${k}`);
  }
  for (const view of [schemas.SmtpRequest, schemas.ConfigVersion]) {
    const keys = Object.keys(view.properties);
    for (const k of ['hasPassword', 'hasOauthClientSecret', 'hasOauthPrivateKey', 'hasOauthServiceAccountKey', 'oauthProvider', 'oauthTenantId', 'oauthCertificate'])
      assert.ok(keys.includes(k), k);
    for (const k of ['password', 'oauthClientSecret', 'oauthPrivateKey', 'oauthServiceAccountKey']) assert.ok(!keys.includes(k), `${k} is never in a view`);
  }
  assert.ok(schemas.SmtpConfig.properties.versions);
});
