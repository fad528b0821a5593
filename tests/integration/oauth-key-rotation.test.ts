import '../helpers/test-env';
// rotate-keys moves every secret column to the newest key, the OAuth credentials of requests and of
// configuration versions included, each still bound to its own row and field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { makeTenant, makeUser, db } from '../helpers/factories';
import { oauthCredentials, genericBody, googleBody } from '../helpers/oauth-request-bodies';
import { createRequest } from '@/server/requests/create-request';
import { createConfigVersion } from '@/server/config-versions/create-config-version';
import { decryptSecret, keyIdOf } from '@/server/crypto/secret-box';
import { requestSecretBinding } from '@/server/requests/request-fields';
import { versionSecretBinding } from '@/server/config-versions/version-binding';
import { rotateKeys } from '@/server/admin/rotate-keys';
import { SYSTEM_ACTOR } from '@/server/audit/record-event';

const entry = (id: string) => `${id}:${randomBytes(32).toString('base64')}`;
const OLD = entry('o2025');
const NEWEST = entry('o2026');

test('rotate-keys re-encrypts OAuth client secrets and service-account keys of requests and versions', async () => {
  const creds = await oauthCredentials();
  const saved = process.env.RELAYDESK_SECRET_KEYS;
  try {
    process.env.RELAYDESK_SECRET_KEYS = OLD;
    const tenant = await makeTenant();
    const admin = await makeUser('customer-admin', tenant.slug);
    const generic = await createRequest(admin, genericBody(creds.clientSecret));
    const google = await createRequest(admin, googleBody(creds.serviceAccountKey));
    const content = {
      host: 'smtp.gmail.com',
      port: 587,
      encryption: 'starttls',
      authMethod: 'oauth2',
      username: 'a@example.com',
      heloDomain: '',
      noReplyAddress: 'n@example.com',
      noReplyName: '',
      supportContact: '',
      testRecipient: 't@example.com',
      oauthProvider: 'google',
    } as const;
    await db.$transaction((tx) =>
      createConfigVersion(tx, {
        tenantId: tenant.id,
        content,
        secrets: { oauthServiceAccountKey: creds.serviceAccountKey },
        fingerprint: 'sha256:x',
        source: 'apply',
        requestId: google.id,
        appliedById: null,
        copiedFrom: null,
      }),
    );

    process.env.RELAYDESK_SECRET_KEYS = `${OLD},${NEWEST}`;
    const { reencrypted } = await rotateKeys(SYSTEM_ACTOR);
    assert.ok(reencrypted >= 3);

    const g = await db.smtpRequest.findUniqueOrThrow({ where: { id: generic.id } });
    const s = await db.smtpRequest.findUniqueOrThrow({ where: { id: google.id } });
    const v = await db.configVersion.findFirstOrThrow({ where: { tenantId: tenant.id, version: 1 } });
    process.env.RELAYDESK_SECRET_KEYS = NEWEST;
    assert.equal(keyIdOf(g.oauthClientSecretCipher!), 'o2026');
    assert.equal(decryptSecret(g.oauthClientSecretCipher!, requestSecretBinding(tenant.id, generic.id, 'oauthClientSecret')), creds.clientSecret);
    assert.equal(decryptSecret(s.oauthServiceAccountKeyCipher!, requestSecretBinding(tenant.id, google.id, 'oauthServiceAccountKey')), creds.serviceAccountKey);
    assert.equal(keyIdOf(v.oauthServiceAccountKeyCipher!), 'o2026');
    assert.equal(decryptSecret(v.oauthServiceAccountKeyCipher!, versionSecretBinding(tenant.id, 1, 'oauthServiceAccountKey')), creds.serviceAccountKey);
  } finally {
    process.env.RELAYDESK_SECRET_KEYS = saved;
  }
});
