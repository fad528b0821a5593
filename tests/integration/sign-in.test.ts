import '../helpers/test-env';
// The credential check behind sign-in: right, wrong, unknown and disabled look as they should, failures are
// throttled per email (even the right password waits), and every attempt that is checked is audited.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeTenant, makeUser, db, unique, TEST_PASSWORD } from '../helpers/factories';
import { assertFreshDatabase } from '../helpers/fresh-database';
import { leakedForms, passwordForms } from '../helpers/secret-forms';
import { checkCredentials, throttleDelayMs } from '@/server/auth/sign-in';

await assertFreshDatabase(db);

const meta = { ip: '203.0.113.9', userAgent: 'sign-in-test', requestId: null };
const WRONG = 'Wr0ng-but-close-battery';
const tenant = await makeTenant();

const eventsFor = (label: string) => db.auditEvent.findMany({ where: { actorLabel: label, action: { startsWith: 'auth.' } }, orderBy: { seq: 'asc' } });

/** Makes the throttle believe its last failure was `ms` ago, instead of sleeping. */
async function age(email: string, ms: number) {
  await db.signInThrottle.update({ where: { key: `email:${email}` }, data: { lastFailureAt: new Date(Date.now() - ms) } });
}

test('the right password signs in and is audited with who and from where', async () => {
  const user = await makeUser('customer-admin', tenant.slug);
  assert.deepEqual(await checkCredentials(user.email, TEST_PASSWORD, meta), { ok: true, userId: user.id });
  assert.deepEqual(await checkCredentials(`  ${user.email.toUpperCase()} `, TEST_PASSWORD, meta), { ok: true, userId: user.id }, 'email is trimmed and case-insensitive');
  const events = await eventsFor(user.email);
  assert.deepEqual(events.map((e) => e.action), ['auth.signed_in', 'auth.signed_in']);
  assert.equal(events[0]!.actorId, user.id);
  assert.equal(events[0]!.tenantId, tenant.id);
  assert.equal(events[0]!.targetId, user.id);
  assert.equal(events[0]!.ip, meta.ip);
  assert.equal(events[0]!.userAgent, meta.userAgent);
});

test('a wrong password is invalid, audited, and never recorded', async () => {
  const user = await makeUser('tam');
  assert.deepEqual(await checkCredentials(user.email, WRONG, meta), { ok: false, reason: 'invalid' });
  assert.deepEqual(await checkCredentials(user.email, '', meta), { ok: false, reason: 'invalid' });
  const events = await eventsFor(user.email);
  assert.deepEqual(events.map((e) => e.action), ['auth.sign_in_failed', 'auth.sign_in_failed']);
  assert.equal(events[0]!.targetId, user.id);
  assert.deepEqual(leakedForms(JSON.stringify(await db.auditEvent.findMany()), passwordForms(WRONG)), []);
});

test('after 5 failures the next attempt is throttled, even with the right password', async () => {
  const user = await makeUser('customer-member', tenant.slug);
  for (let i = 1; i <= 5; i++) assert.deepEqual(await checkCredentials(user.email, `${WRONG}-${i}`, meta), { ok: false, reason: 'invalid' }, `attempt ${i}`);

  const throttled = await checkCredentials(user.email, TEST_PASSWORD, meta);
  assert.equal(throttled.ok, false);
  assert.ok(!throttled.ok && throttled.reason === 'throttled', JSON.stringify(throttled));
  assert.ok(throttled.retryAfterSeconds > 0, `retryAfterSeconds ${throttled.retryAfterSeconds}`);
  assert.ok(throttled.retryAfterSeconds <= Math.ceil(throttleDelayMs(5) / 1000));
  // A throttled attempt checks nothing, so it neither counts as a failure nor signs in.
  assert.equal((await db.signInThrottle.findUniqueOrThrow({ where: { key: `email:${user.email}` } })).failures, 5);
  assert.equal((await eventsFor(user.email)).filter((e) => e.action === 'auth.signed_in').length, 0);

  // Waiting is not enough for a wrong password: the delay doubles with each further failure.
  await age(user.email, throttleDelayMs(5) + 10);
  assert.deepEqual(await checkCredentials(user.email, WRONG, meta), { ok: false, reason: 'invalid' });
  const again = await checkCredentials(user.email, TEST_PASSWORD, meta);
  assert.ok(!again.ok && again.reason === 'throttled' && again.retryAfterSeconds > Math.ceil(throttleDelayMs(5) / 1000), JSON.stringify(again));

  // Once the delay has passed, the right password signs in and the slate is clean.
  await age(user.email, throttleDelayMs(6) + 10);
  assert.deepEqual(await checkCredentials(user.email, TEST_PASSWORD, meta), { ok: true, userId: user.id });
  assert.equal(await db.signInThrottle.count({ where: { key: `email:${user.email}` } }), 0);
  assert.deepEqual(await checkCredentials(user.email, WRONG, meta), { ok: false, reason: 'invalid' }, 'a fresh typo is not throttled');

  const actions = (await eventsFor(user.email)).map((e) => e.action);
  assert.deepEqual(actions, [...Array(6).fill('auth.sign_in_failed'), 'auth.signed_in', 'auth.sign_in_failed']);
});

test('one email’s failures do not throttle another account', async () => {
  const victim = await makeUser('auditor');
  const bystander = await makeUser('auditor');
  for (let i = 0; i < 6; i++) await checkCredentials(victim.email, WRONG, meta);
  assert.equal((await checkCredentials(victim.email, TEST_PASSWORD, meta)).ok, false);
  assert.deepEqual(await checkCredentials(bystander.email, TEST_PASSWORD, meta), { ok: true, userId: bystander.id });
});

test('an unknown email looks exactly like a wrong password, and is throttled the same way', async () => {
  const email = `${unique('nobody')}@example.test`;
  assert.deepEqual(await checkCredentials(email, TEST_PASSWORD, meta), { ok: false, reason: 'invalid' });
  const [event] = await eventsFor(email);
  assert.equal(event?.action, 'auth.sign_in_failed');
  assert.equal(event?.actorId, null);
  assert.equal(event?.targetId, null);
  for (let i = 0; i < 4; i++) await checkCredentials(email, TEST_PASSWORD, meta);
  const throttled = await checkCredentials(email, TEST_PASSWORD, meta);
  assert.ok(!throttled.ok && throttled.reason === 'throttled' && throttled.retryAfterSeconds > 0, 'no user enumeration through the throttle');
});

test('a disabled account is invalid even with the right password', async () => {
  const user = await makeUser('admin');
  await db.user.update({ where: { id: user.id }, data: { disabledAt: new Date() } });
  assert.deepEqual(await checkCredentials(user.email, TEST_PASSWORD, meta), { ok: false, reason: 'invalid' });
  assert.equal((await eventsFor(user.email)).at(-1)?.action, 'auth.sign_in_failed');
});
