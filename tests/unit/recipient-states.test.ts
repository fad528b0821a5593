import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applySendResult, isRelayRefusal, recipientStatesOf, remainingRecipients, statusOfRecipients } from '@/server/pipeline/recipient-states';
import { storedReply, credentialForms } from '@/server/pipeline/stored-reply';

test('relay refusals are recognised in the spellings of the common servers, and other refusals are not', () => {
  for (const reply of [
    '554 5.7.1 <x@outside.test>: Relay access denied',
    '550 5.7.1 <x@outside.test>... Relaying denied',
    '550 relay not permitted',
    '550 5.7.54 SMTP; Unable to relay recipient in non-accepted domain',
    "553 sorry, that domain isn't in my list of allowed rcpthosts (#5.7.1)",
  ])
    assert.ok(isRelayRefusal(reply), reply);
  for (const reply of ['550 5.1.1 User unknown', '554 5.7.1 Sender address rejected: not owned by user', '451 4.7.1 Greylisted']) assert.ok(!isRelayRefusal(reply), reply);
});

test('a send result moves only the recipients it went to; the notification follows its recipients', () => {
  const row = { recipients: JSON.stringify(['a@x.test', 'b@x.test', 'c@x.test']), recipientStates: null, status: 'queued', lastReply: null };
  const first = applySendResult(
    recipientStatesOf(row),
    ['a@x.test', 'b@x.test', 'c@x.test'],
    ['a@x.test'],
    [
      { recipient: 'b@x.test', responseCode: 451, response: '451 4.7.1 Greylisted' },
      { recipient: 'c@x.test', responseCode: 550, response: '550 5.1.1 User unknown' },
    ],
    '250 Ok',
    (t) => t,
  );
  assert.deepEqual(
    first.states.map((s) => s.state),
    ['delivered', 'retrying', 'dead'],
  );
  assert.equal(statusOfRecipients(first.states), 'retrying');
  assert.deepEqual(remainingRecipients(first.states), ['b@x.test']);
  const second = applySendResult(first.states, ['b@x.test'], ['b@x.test'], [], '250 Ok', (t) => t);
  assert.deepEqual(
    second.states.map((s) => s.state),
    ['delivered', 'delivered', 'dead'],
  );
  assert.equal(statusOfRecipients(second.states), 'dead');
  assert.equal(second.states[2]!.reply, '550 5.1.1 User unknown', 'the dead letter keeps its reply');
});

test('a stored reply is redacted with the version’s credentials and shortened', () => {
  const secrets = credentialForms({ username: 'user@acme.test', password: 'S3cret-Value!' });
  const blob = Buffer.from('\0user@acme.test\0S3cret-Value!').toString('base64');
  const stored = storedReply(`535 5.7.8 bad S3cret-Value! ${blob}\n${'535-filler\n'.repeat(5_000)}535 end`, secrets);
  assert.ok(!stored.includes('S3cret-Value!') && !stored.includes(blob), stored.slice(0, 200));
  assert.match(stored, /lines omitted/);
  assert.ok(stored.length < 5_000);
});
