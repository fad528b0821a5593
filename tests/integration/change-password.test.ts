import '../helpers/test-env';
// A user changes their own password: the current one is required, the new one follows the same rule as an
// admin-created one, the change is audited without the password, the new one signs in and the old one no
// longer does, and browser sessions signed in before the change end (tokens do not).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api } from '../helpers/api';
import { refusal } from '../helpers/refusal';
import { db, makeUser, TEST_PASSWORD } from '../helpers/factories';
import { leakedForms, passwordForms } from '../helpers/secret-forms';
import { startBrowserSession } from '@/server/auth/sessions';
import { changeOwnPassword } from '@/server/users/change-own-password';
import { checkCredentials } from '@/server/auth/sign-in';
import { loadActiveUser } from '@/server/auth/load-user';

const meta = { ip: '198.51.100.9', userAgent: 'change-password-test', requestId: null };
const NEW_PASSWORD = 'Brand-New-Passw0rd-for-test';

test('bad input is refused at the field it concerns, and changes nothing', async () => {
  const user = await makeUser('tam');
  const before = await db.user.findUniqueOrThrow({ where: { id: user.id } });
  const events = await db.auditEvent.count();
  const cases: [Record<string, unknown>, { path: string; message: string }[]][] = [
    [{ current: 'not-my-password', next: NEW_PASSWORD, confirm: NEW_PASSWORD }, [{ path: 'current', message: 'wrongPassword' }]],
    [{ current: TEST_PASSWORD, next: 'short', confirm: 'short' }, [{ path: 'next', message: 'passwordTooShort' }]],
    [{ current: TEST_PASSWORD, next: NEW_PASSWORD, confirm: `${NEW_PASSWORD}x` }, [{ path: 'confirm', message: 'passwordsDiffer' }]],
    [{ current: '', next: NEW_PASSWORD, confirm: NEW_PASSWORD }, [{ path: 'current', message: 'required' }]],
    [{ current: TEST_PASSWORD, next: 'x'.repeat(201), confirm: 'x'.repeat(201) }, [{ path: 'next', message: 'tooLong' }]],
  ];
  for (const [input, errors] of cases) assert.deepEqual(await refusal(changeOwnPassword(user, input, meta)), { code: 'VALIDATION_FAILED', errors }, JSON.stringify(input));
  const after = await db.user.findUniqueOrThrow({ where: { id: user.id } });
  assert.equal(after.passwordHash, before.passwordHash);
  assert.equal(after.passwordChangedAt, null);
  const failed = await db.auditEvent.findMany({ where: { seq: { gt: events } } });
  assert.deepEqual(
    failed.map((e) => [e.action, e.targetId]),
    [['auth.sign_in_failed', user.id]],
    'only the wrong current password is recorded, as a failed sign-in',
  );
});

test('the current password is checked under the sign-in throttle: guessing it is refused after a few tries, even when right', async () => {
  const user = await makeUser('auditor');
  for (let i = 0; i < 5; i++) {
    assert.deepEqual(await refusal(changeOwnPassword(user, { current: `guess-${i}`, next: NEW_PASSWORD, confirm: NEW_PASSWORD }, meta)), {
      code: 'VALIDATION_FAILED',
      errors: [{ path: 'current', message: 'wrongPassword' }],
    });
  }
  const throttled = await refusal(changeOwnPassword(user, { current: TEST_PASSWORD, next: NEW_PASSWORD, confirm: NEW_PASSWORD }, meta));
  assert.equal(throttled.code, 'RATE_LIMITED');
  assert.equal((await checkCredentials(user.email, TEST_PASSWORD, meta)).ok, false, 'sign-in is throttled too: the count is shared');
  assert.equal((await db.user.findUniqueOrThrow({ where: { id: user.id } })).passwordChangedAt, null);
});

test('the new password signs in, the old one does not; older browser sessions end, tokens keep working; audited without the password', async () => {
  const user = await makeUser('auditor');
  const before = await startBrowserSession(user.id, new Date(Date.now() - 1000));
  assert.ok(await loadActiveUser(user.id, 'session', { signedInAt: before.signedInAt, sessionId: before.sid }), 'a session is valid before the change');

  await changeOwnPassword(user, { current: TEST_PASSWORD, next: NEW_PASSWORD, confirm: NEW_PASSWORD }, meta);

  assert.equal((await checkCredentials(user.email, NEW_PASSWORD, meta)).ok, true);
  assert.equal((await checkCredentials(user.email, TEST_PASSWORD, meta)).ok, false);
  assert.equal(await loadActiveUser(user.id, 'session', { signedInAt: before.signedInAt, sessionId: before.sid }), null, 'a session signed in before the change ends');
  assert.equal(await loadActiveUser(user.id, 'session', { sessionId: before.sid }), null, 'so does one that does not say when it signed in');
  const fresh = await startBrowserSession(user.id);
  assert.ok(await loadActiveUser(user.id, 'session', { signedInAt: fresh.signedInAt, sessionId: fresh.sid }), 'a session signed in after it is valid');
  assert.equal((await api('GET', '/api/v1/audit-events', { token: user.token })).status, 200, 'the personal access token still works');

  const event = await db.auditEvent.findFirstOrThrow({ where: { action: 'user.password_changed', targetId: user.id } });
  assert.equal(event.actorLabel, `${user.email} (token)`);
  assert.equal(event.after, '{"password":"changed"}');
  const row = JSON.stringify(event);
  for (const secret of [TEST_PASSWORD, NEW_PASSWORD]) assert.deepEqual(leakedForms(row, passwordForms(secret)), [], 'the event holds a password');
});
