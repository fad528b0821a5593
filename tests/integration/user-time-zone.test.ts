// The reader's time zone: a zone chosen on the profile is saved and wins over the browser's; '' goes back to
// the browser's; a name the runtime does not know is refused naming the field, and nothing changes.
import '../helpers/test-env';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeUser } from '../helpers/factories';
import { AppError } from '@/server/app-error';
import { findUserTimeZone, saveUserTimeZone } from '@/server/users/user-time-zone';

test('a chosen zone is saved, automatic clears it, unknown zones are refused', async () => {
  const user = await makeUser('auditor');
  assert.equal(await findUserTimeZone(user.id), null);
  await saveUserTimeZone(user.id, 'Asia/Shanghai');
  assert.equal(await findUserTimeZone(user.id), 'Asia/Shanghai');
  for (const bad of ['Mars/Olympus', 'Asia/Shanghai\n', 'x'.repeat(80), '../etc']) {
    await assert.rejects(saveUserTimeZone(user.id, bad), (e: unknown) => e instanceof AppError && e.code === 'VALIDATION_FAILED' && e.details.errors?.[0]?.path === 'timeZone');
  }
  assert.equal(await findUserTimeZone(user.id), 'Asia/Shanghai', 'a refused zone changes nothing');
  await saveUserTimeZone(user.id, '');
  assert.equal(await findUserTimeZone(user.id), null, 'automatic: the browser decides again');
});
