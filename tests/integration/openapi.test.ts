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
