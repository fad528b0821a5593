import '../helpers/test-env';
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { allowLocalServers, startSink, testedRequest, papi } from './helpers';
import { makeUser, db } from '../helpers/factories';
import { diffVersions } from '@/server/config-versions/diff-config-versions';
import { encryptSecret } from '@/server/crypto/secret-box';
import { configVersionBinding } from '@/server/config-versions/version-binding';

const sink = await startSink();
await allowLocalServers(sink.port);
after(() => sink.close());

test('auditors compare two configuration versions; the password is only ever "changed" or "unchanged"', async () => {
  const first = await testedRequest(sink.port);
  assert.equal((await papi('POST', `/api/v1/smtp-requests/${first.requestId}/apply`, { token: first.tam.token })).status, 201);
  const second = await testedRequest(sink.port, { noReplyName: 'Acme Alerts' }, first);
  assert.equal((await papi('POST', `/api/v1/smtp-requests/${second.requestId}/apply`, { token: first.tam.token })).status, 201);
  const auditor = await makeUser('auditor');
  const slug = first.tenant.slug;

  const d12 = await diffVersions(auditor, slug, 1, 2);
  const changed = Object.fromEntries(d12.changes.filter((c) => c.changed).map((c) => [c.field, [c.before, c.after]]));
  assert.deepEqual(changed, { noReplyName: ['Acme Notifications', 'Acme Alerts'] }, 'the same password typed again is "unchanged"');
  assert.equal(d12.changes.find((c) => c.field === 'password')?.after, 'unchanged');

  // A version whose password differs (written directly: the test server accepts one password only).
  const v2 = await db.configVersion.findFirstOrThrow({ where: { tenantId: first.tenant.id, version: 2 } });
  await db.configVersion.create({
    data: { ...v2, id: randomUUID(), version: 3, source: 'apply', passwordCipher: encryptSecret('a-different-password', configVersionBinding(first.tenant.id, 3)) },
  });
  const d23 = await diffVersions(auditor, slug, 2, 3);
  assert.deepEqual(
    d23.changes.filter((c) => c.changed).map((c) => [c.field, c.after]),
    [['password', 'changed']],
  );
  assert.ok(!JSON.stringify(d23).includes('a-different-password'));

  await assert.rejects(diffVersions(auditor, slug, 1, 9), /No such version/);
  const strangerTam = await makeUser('tam');
  await assert.rejects(diffVersions(strangerTam, slug, 1, 2), (e: Error & { code?: string }) => e.code === 'NOT_FOUND');
});
