// The reader's time zone: the browser's is saved once, the user's own choice is never overridden, and a
// name the runtime does not know is refused naming the field.
import '../helpers/test-env';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeUser } from '../helpers/factories';
import { AppError } from '@/server/app-error';
import { findUserTimeZone, saveUserTimeZone } from '@/server/users/user-time-zone';

test("the browser's zone is saved once; the profile's choice wins; unknown zones are refused", async () => {
  const user = await makeUser('auditor');
  assert.equal(await findUserTimeZone(user.id), null);
  await saveUserTimeZone(user.id, 'Asia/Shanghai', { onlyIfUnset: true });
  assert.equal(await findUserTimeZone(user.id), 'Asia/Shanghai');
  await saveUserTimeZone(user.id, 'America/New_York', { onlyIfUnset: true });
  assert.equal(await findUserTimeZone(user.id), 'Asia/Shanghai', "a browser's later report does not override");
  await saveUserTimeZone(user.id, 'Europe/Berlin');
  assert.equal(await findUserTimeZone(user.id), 'Europe/Berlin');
  for (const bad of ['Mars/Olympus', '', 'Asia/Shanghai\n', 'x'.repeat(80)]) {
    await assert.rejects(saveUserTimeZone(user.id, bad), (e: unknown) => e instanceof AppError && e.code === 'VALIDATION_FAILED' && e.details.errors?.[0]?.path === 'timeZone');
  }
  assert.equal(await findUserTimeZone(user.id), 'Europe/Berlin');
});
