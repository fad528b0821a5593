import '../helpers/test-env';
// The credential check behind sign-in: right, wrong, unknown and disabled look as they should, failures are
// throttled per account-and-address (even the right password waits) and per address, never so that the owner
// signing in from a clean address is refused, and every attempt that is checked is audited.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeTenant, makeUser, db, unique, TEST_PASSWORD } from '../helpers/factories';
import { assertFreshDatabase } from '../helpers/fresh-database';
import { leakedForms, passwordForms } from '../helpers/secret-forms';
import { checkCredentials, throttleDelayMs, throttleKeys, DISTRIBUTED_ALERT_FAILURES } from '@/server/auth/sign-in';

await assertFreshDatabase(db);

const meta = { ip: '203.0.113.9', userAgent: 'sign-in-test', requestId: null };
const WRONG = 'Wr0ng-but-close-battery';
const tenant = await makeTenant();

const eventsFor = (label: string) => db.auditEvent.findMany({ where: { actorLabel: label, action: { startsWith: 'auth.' } }, orderBy: { seq: 'asc' } });

/** Makes the throttle believe its last failure was `ms` ago, instead of sleeping. */
async function age(email: string, ms: number) {
  await db.signInThrottle.update({ where: { key: throttleKeys(email, meta.ip).account }, data: { lastFailureAt: new Date(Date.now() - ms) } });
}
const from = (ip: string) => ({ ...meta, ip });

test('the right password signs in and is audited with who and from where', async () => {
  const user = await makeUser('customer-admin', tenant.slug);
  assert.deepEqual(await checkCredentials(user.email, TEST_PASSWORD, meta), { ok: true, userId: user.id });
  assert.deepEqual(await checkCredentials(`  ${user.email.toUpperCase()} `, TEST_PASSWORD, meta), { ok: true, userId: user.id }, 'email is trimmed and case-insensitive');
  const events = await eventsFor(user.email);
  assert.deepEqual(
    events.map((e) => e.action),
    ['auth.signed_in', 'auth.signed_in'],
  );
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
  assert.deepEqual(
    events.map((e) => e.action),
    ['auth.sign_in_failed', 'auth.sign_in_failed'],
  );
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
  assert.equal((await db.signInThrottle.findUniqueOrThrow({ where: { key: throttleKeys(user.email, meta.ip).account } })).failures, 5);
  assert.equal((await eventsFor(user.email)).filter((e) => e.action === 'auth.signed_in').length, 0);

  // Waiting is not enough for a wrong password: the delay doubles with each further failure.
  await age(user.email, throttleDelayMs(5) + 10);
  assert.deepEqual(await checkCredentials(user.email, WRONG, meta), { ok: false, reason: 'invalid' });
  const again = await checkCredentials(user.email, TEST_PASSWORD, meta);
  assert.ok(!again.ok && again.reason === 'throttled' && again.retryAfterSeconds > Math.ceil(throttleDelayMs(5) / 1000), JSON.stringify(again));

  // Once the delay has passed, the right password signs in and the slate is clean.
  await age(user.email, throttleDelayMs(6) + 10);
  assert.deepEqual(await checkCredentials(user.email, TEST_PASSWORD, meta), { ok: true, userId: user.id });
  assert.equal(await db.signInThrottle.count({ where: { key: throttleKeys(user.email, meta.ip).account } }), 0);
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

test('the owner signing in from an address with no failures is never refused, however many failures elsewhere', async () => {
  const owner = await makeUser('customer-admin', tenant.slug);
  for (let i = 0; i < 12; i++) await checkCredentials(owner.email, `${WRONG}-${i}`, from('203.0.113.50'));
  const there = await checkCredentials(owner.email, TEST_PASSWORD, from('203.0.113.50'));
  assert.ok(!there.ok && there.reason === 'throttled', 'the guessing address is slowed down');
  assert.deepEqual(await checkCredentials(owner.email, TEST_PASSWORD, from('198.51.100.20')), { ok: true, userId: owner.id });
  assert.deepEqual(await checkCredentials(owner.email, TEST_PASSWORD, from('2001:db8::20')), { ok: true, userId: owner.id });
});

test('a spray across many accounts from one address is throttled by the per-address limit', async () => {
  const sprayer = from('203.0.113.77');
  const target = await makeUser('tam');
  let refusedAt = -1;
  for (let i = 0; i < 40 && refusedAt < 0; i++) {
    const result = await checkCredentials(`${unique('sprayed')}@example.test`, 'Winter2026!', sprayer);
    if (!result.ok && result.reason === 'throttled') refusedAt = i;
  }
  assert.ok(refusedAt >= 20 && refusedAt <= 31, `the address was throttled after ${refusedAt} accounts`);
  const next = await checkCredentials(target.email, TEST_PASSWORD, sprayer);
  assert.ok(!next.ok && next.reason === 'throttled' && next.retryAfterSeconds > 0, 'even a right password from the spraying address waits');
  assert.deepEqual(await checkCredentials(target.email, TEST_PASSWORD, from('198.51.100.21')), { ok: true, userId: target.id }, 'another address is not affected');
});

test('many failures for one account from many addresses raise an audit event, and lock nobody out', async () => {
  const victim = await makeUser('admin');
  for (let i = 0; i < DISTRIBUTED_ALERT_FAILURES; i++) {
    assert.deepEqual(await checkCredentials(victim.email, `${WRONG}-${i}`, from(`198.18.0.${i + 1}`)), { ok: false, reason: 'invalid' }, `attempt ${i} is checked, not throttled`);
  }
  const alerts = await db.auditEvent.findMany({ where: { action: 'auth.sign_in_failures_distributed', targetId: victim.id } });
  assert.equal(alerts.length, 1);
  const after = JSON.parse(alerts[0]!.after ?? '{}');
  assert.equal(after.failures, DISTRIBUTED_ALERT_FAILURES);
  assert.equal(after.addresses, DISTRIBUTED_ALERT_FAILURES);
  assert.equal(alerts[0]!.actorType, 'system');
  assert.deepEqual(await checkCredentials(victim.email, TEST_PASSWORD, from('198.51.100.22')), { ok: true, userId: victim.id });
  // One more failure is not another alert; the next comes at the next doubling.
  await checkCredentials(victim.email, WRONG, from('198.18.1.1'));
  assert.equal(await db.auditEvent.count({ where: { action: 'auth.sign_in_failures_distributed', targetId: victim.id } }), 1);
});

test('an admin sees the alert; other roles may not ask', async () => {
  const { recentSignInAlerts } = await import('@/server/auth/sign-in-alerts');
  const admin = await makeUser('admin');
  const victim = await makeUser('auditor');
  for (let i = 0; i < DISTRIBUTED_ALERT_FAILURES; i++) await checkCredentials(victim.email, WRONG, from(`198.18.2.${i + 1}`));
  const alerts = await recentSignInAlerts(admin);
  const mine = alerts.find((a) => a.email === victim.email);
  assert.ok(mine, JSON.stringify(alerts));
  assert.equal(mine.addresses, DISTRIBUTED_ALERT_FAILURES);
  await assert.rejects(recentSignInAlerts(await makeUser('tam')), /may not/);
});
