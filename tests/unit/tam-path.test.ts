// The TAM's path on a request page: which step is next, which are done, and why the others wait.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tamPath } from '@/server/requests/tam-path';

const states = (status: string, gate: Parameters<typeof tamPath>[1] = null) => Object.fromEntries(tamPath(status, gate).map((s) => [s.step, [s.state, s.reason]]));

test('submitted: take is next; the live checks wait for it, apply for a test', () => {
  assert.deepEqual(states('submitted'), {
    take: ['next', null],
    validate: ['blocked', 'probe.closed.takeFirst'],
    test: ['blocked', 'probe.closed.takeFirst'],
    apply: ['blocked', 'pipeline.apply.blocked.NOT_TESTED'],
  });
});

test('needs information: never "take the request to run live checks" — it waits for the customer, and taking it back is next', () => {
  const s = states('needs_info');
  assert.deepEqual(s.take, ['next', null]);
  assert.deepEqual(s.validate, ['blocked', 'probe.closed.waitingOnCustomer']);
});

test('in review: validate is next, a test email is possible too; validated: the test email is next', () => {
  assert.deepEqual(states('in_review', { ok: false, reason: 'NOT_TESTED', message: '' }), {
    take: ['done', null],
    validate: ['next', null],
    test: ['possible', null],
    apply: ['blocked', 'pipeline.apply.blocked.NOT_TESTED'],
  });
  assert.deepEqual(states('validated', { ok: false, reason: 'NOT_TESTED', message: '' }).test, ['next', null]);
});

test('tested: apply is next when the gate allows it; after a later failed check, testing again is next', () => {
  assert.deepEqual(states('tested', { ok: true }).apply, ['next', null]);
  const refused = states('tested', { ok: false, reason: 'LATER_CHECK_FAILED', message: '' });
  assert.deepEqual(refused.apply, ['blocked', 'pipeline.apply.blocked.LATER_CHECK_FAILED']);
  assert.deepEqual(refused.test, ['next', null]);
});

test('applied: every step done; rejected: every step closed', () => {
  assert.ok(tamPath('applied', { ok: false, reason: 'ALREADY_APPLIED', message: '' }).every((s) => s.state === 'done'));
  assert.ok(tamPath('rejected', null).every((s) => s.state === 'blocked' && s.reason === 'probe.closed.finished'));
});
