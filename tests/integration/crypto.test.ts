import '../helpers/test-env';
// Stored secrets: AES-256-GCM under RELAYDESK_SECRET_KEYS, where the last key encrypts and every key
// decrypts, and rotate-keys moves every stored password to the newest key without changing it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { api } from '../helpers/api';
import { assertFreshDatabase } from '../helpers/fresh-database';
import { makeTenant, makeUser, validRequestBody, db } from '../helpers/factories';
import { createRequest } from '@/server/requests/create-request';
import { decryptSecret, encryptSecret, keyIdOf } from '@/server/crypto/secret-box';
import { parseSecretKeys } from '@/server/crypto/secret-keys';
import { passwordBinding } from '@/server/requests/request-fields';
import { rotateKeys } from '@/server/admin/rotate-keys';
import { ownMailBinding } from '@/server/own-mail/enqueue-own-mail';
import { SYSTEM_ACTOR } from '@/server/audit/record-event';

await assertFreshDatabase(db);

const customerAdmin = async () => makeUser('customer-admin', (await makeTenant()).slug);

const entry = (id: string) => `${id}:${randomBytes(32).toString('base64')}`;
const OLD = entry('k2024');
const NEW = entry('k2025');
const NEWEST = entry('k2026');
const keys = (...entries: string[]) => parseSecretKeys(entries.join(','));
const BINDING = 'smtp-request:tenant-1:request-1';

test('the last key encrypts; every configured key decrypts', () => {
  const ring = keys(OLD, NEW);
  const sealed = encryptSecret('pa55word', BINDING, ring);
  assert.equal(keyIdOf(sealed), 'k2025');
  assert.equal(decryptSecret(sealed, BINDING, ring), 'pa55word');
  assert.equal(decryptSecret(sealed, BINDING, keys(NEW)), 'pa55word', 'the newest key alone is enough');
  assert.equal(decryptSecret(sealed, BINDING, keys(NEW, OLD)), 'pa55word', 'decryption goes by key id, not by position');

  const old = encryptSecret('older secret', BINDING, keys(OLD));
  assert.equal(keyIdOf(old), 'k2024');
  assert.equal(decryptSecret(old, BINDING, ring), 'older secret', 'an old key still decrypts after a new one is added');
  assert.equal(decryptSecret(encryptSecret('older secret', BINDING, keys(OLD, NEW, NEWEST)), BINDING, keys(NEWEST)), 'older secret');
});

test('same plaintext, different ciphertexts; unicode and empty survive the round trip', () => {
  const ring = keys(NEW);
  const a = encryptSecret('same', BINDING, ring);
  const b = encryptSecret('same', BINDING, ring);
  assert.notEqual(a, b, 'a fresh IV every time');
  for (const text of ['', 'пароль密码🙂', 'x'.repeat(512)]) assert.equal(decryptSecret(encryptSecret(text, BINDING, ring), BINDING, ring), text);
  assert.ok(!a.includes('same') && !a.includes(Buffer.from('same').toString('base64').replace(/=+$/, '')));
});

test('a missing or wrong key id, a tampered envelope and a wrong binding all fail clearly', () => {
  const sealed = encryptSecret('pa55word', BINDING, keys(NEW));
  assert.throws(() => decryptSecret(sealed, BINDING, keys(OLD)), { message: 'Secret key "k2025" is not configured' });
  const [format, , iv, tag, body] = sealed.split(':');
  assert.throws(() => decryptSecret([format, 'nope', iv, tag, body].join(':'), BINDING, keys(NEW)), { message: 'Secret key "nope" is not configured' });
  // The same key material under another id is still another key id: nothing is looked up by trial.
  const sameBytesOtherId = `k2099:${NEW.split(':')[1]}`;
  assert.throws(() => decryptSecret(sealed, BINDING, keys(sameBytesOtherId)), /Secret key "k2025" is not configured/);
  assert.throws(() => decryptSecret(sealed, BINDING, keys(`k2025:${OLD.split(':')[1]}`)), /unable to authenticate/i, 'right id, wrong bytes');
  assert.throws(() => decryptSecret(sealed, 'smtp-request:tenant-1:request-2', keys(NEW)), /unable to authenticate/i);
  const flipped = Buffer.from(body!, 'base64');
  flipped[0]! ^= 1;
  assert.throws(() => decryptSecret([format, 'k2025', iv, tag, flipped.toString('base64')].join(':'), BINDING, keys(NEW)), /unable to authenticate/i);
  for (const broken of ['', 'plaintext', 'v0:k2025:a:b:c', 'v1:k2025:onlyiv']) {
    assert.throws(() => decryptSecret(broken, BINDING, keys(NEW)), { message: 'Unreadable secret envelope' });
  }
  assert.throws(() => encryptSecret('x', BINDING, []), /No secret key configured/);
});

test('RELAYDESK_SECRET_KEYS refuses malformed entries', () => {
  assert.deepEqual(
    parseSecretKeys(` ${OLD} , ${NEW} `).map((k) => k.id),
    ['k2024', 'k2025'],
  );
  for (const bad of [
    'nokey',
    ':' + randomBytes(32).toString('base64'),
    `k1:${randomBytes(16).toString('base64')}`,
    `bad id:${randomBytes(32).toString('base64')}`,
    `k1:${randomBytes(33).toString('base64')}`,
  ]) {
    assert.throws(() => parseSecretKeys(bad), /keyId:base64-of-32-bytes/, bad);
  }
});

test('rotate-keys re-encrypts every stored password with the newest key, plaintext unchanged', async () => {
  process.env.RELAYDESK_SECRET_KEYS = OLD;
  const a = { admin: await customerAdmin() };
  const b = { admin: await customerAdmin() };
  const passwords = new Map<string, string>();
  for (const owner of [a.admin, a.admin, b.admin]) {
    const password = `Rotate-${randomBytes(6).toString('hex')}`;
    passwords.set((await createRequest(owner, validRequestBody({ password }))).id, password);
  }
  const noAuth = await createRequest(a.admin, validRequestBody({ authMethod: 'none', username: '', password: undefined }));

  // A second key arrives; one request is edited under it before anyone rotates.
  process.env.RELAYDESK_SECRET_KEYS = `${OLD},${NEW}`;
  const [editedId] = [...passwords.keys()];
  const edited = await api('PATCH', `/api/v1/smtp-requests/${editedId}`, { token: a.admin.token, body: { password: 'Edited-Under-New' } });
  assert.equal(edited.status, 200, edited.text);
  passwords.set(editedId!, 'Edited-Under-New');
  const before = await db.smtpRequest.findMany({ where: { id: { in: [...passwords.keys()] } } });
  assert.deepEqual(before.map((r) => keyIdOf(r.passwordCipher!)).sort(), ['k2024', 'k2024', 'k2025']);

  process.env.RELAYDESK_SECRET_KEYS = `${OLD},${NEW},${NEWEST}`;
  const auditBefore = await db.auditEvent.count({ where: { action: 'secrets.rotated' } });
  const result = await rotateKeys(SYSTEM_ACTOR);
  assert.deepEqual(result, { reencrypted: 3, newestKey: 'k2026' });

  const after = await db.smtpRequest.findMany({ where: { id: { in: [...passwords.keys()] } } });
  for (const row of after) {
    assert.equal(keyIdOf(row.passwordCipher!), 'k2026');
    assert.notEqual(row.passwordCipher, before.find((r) => r.id === row.id)!.passwordCipher);
    // Only the newest key is needed from now on: the old ones can be retired.
    assert.equal(decryptSecret(row.passwordCipher!, passwordBinding(row.tenantId, row.id), keys(NEWEST)), passwords.get(row.id));
    assert.equal(row.fingerprint, before.find((r) => r.id === row.id)!.fingerprint, 'the configuration is the same one');
  }
  assert.equal((await db.smtpRequest.findUniqueOrThrow({ where: { id: noAuth.id } })).passwordCipher, null);
  assert.equal(await db.auditEvent.count({ where: { action: 'secrets.rotated' } }), auditBefore + 1);
  const event = await db.auditEvent.findFirstOrThrow({ where: { action: 'secrets.rotated' }, orderBy: { seq: 'desc' } });
  assert.equal(JSON.parse(event.after!).reencrypted, 3);

  assert.deepEqual(await rotateKeys(SYSTEM_ACTOR), { reencrypted: 0, newestKey: 'k2026' }, 'a second run has nothing to do');

  // With the old keys retired the app still reads and keeps every password.
  process.env.RELAYDESK_SECRET_KEYS = NEWEST;
  const kept = await api('PATCH', `/api/v1/smtp-requests/${editedId}`, { token: a.admin.token, body: { notes: 'after rotation' } });
  assert.equal(kept.body.hasPassword, true);
});

test('rotate-keys re-encrypts a queued invitation mail (text and HTML), so the old key can be retired', async () => {
  process.env.RELAYDESK_SECRET_KEYS = OLD;
  const id = randomUUID();
  const link = `https://relaydesk.example/invitations/rdi_${'a'.repeat(43)}`;
  await db.ownMail.create({
    data: {
      id,
      messageId: `<${id}@relaydesk.example>`,
      kind: 'invitation',
      toAddress: 'new.colleague@example.test',
      locale: 'en',
      subject: 'You are invited',
      text: encryptSecret(`Open ${link}`, ownMailBinding(id, 'text'), keys(OLD)),
      html: encryptSecret(`<a href="${link}">Open</a>`, ownMailBinding(id, 'html'), keys(OLD)),
      sensitive: true,
      status: 'queued',
      nextAttemptAt: new Date(),
      createdAt: new Date(),
    },
  });
  process.env.RELAYDESK_SECRET_KEYS = `${OLD},${NEWEST}`;
  const { reencrypted } = await rotateKeys(SYSTEM_ACTOR);
  assert.ok(reencrypted >= 1);
  const row = await db.ownMail.findUniqueOrThrow({ where: { id } });
  assert.equal(keyIdOf(row.text), 'k2026');
  assert.equal(keyIdOf(row.html), 'k2026');
  assert.equal(decryptSecret(row.text, ownMailBinding(id, 'text'), keys(NEWEST)), `Open ${link}`, 'the newest key alone opens it');
  assert.equal(decryptSecret(row.html, ownMailBinding(id, 'html'), keys(NEWEST)), `<a href="${link}">Open</a>`);
  const event = await db.auditEvent.findFirstOrThrow({ where: { action: 'secrets.rotated' }, orderBy: { seq: 'desc' } });
  assert.ok(!event.after!.includes(link) && !event.after!.includes('rdi_'), 'the audit event does not hold the link');
});

test('rotate-keys names the key it lacks instead of writing garbage', async () => {
  process.env.RELAYDESK_SECRET_KEYS = OLD;
  const { id } = await createRequest(await customerAdmin(), validRequestBody({ password: 'Needs-Old-Key' }));
  // Rows of the earlier test are on k2026 already and are skipped; this one needs the retired k2024.
  process.env.RELAYDESK_SECRET_KEYS = `${NEW},${NEWEST}`;
  await assert.rejects(rotateKeys(SYSTEM_ACTOR), { message: 'Secret key "k2024" is not configured' });
  const row = await db.smtpRequest.findUniqueOrThrow({ where: { id } });
  assert.equal(keyIdOf(row.passwordCipher!), 'k2024', 'the unreadable row is left as it was');
  process.env.RELAYDESK_SECRET_KEYS = `${OLD},${NEW}`;
  assert.equal(decryptSecret(row.passwordCipher!, passwordBinding(row.tenantId, id)), 'Needs-Old-Key');
});
