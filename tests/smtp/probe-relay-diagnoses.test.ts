// Relaying and delayed rejections: the reply text names the field, not the step it came at (issue 10).
// Replies are worded as Postfix 3.x sends them with smtpd_delay_reject = yes (its default).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { relayCheckAddress } from '../../server/smtp/probe';
import { startScriptedServer } from '../helpers/smtp-raw-servers';
import { configFor, lastStep, NO_REPLY, probe, RECIPIENT, stepNames } from '../helpers/smtp-fixtures';
import { startSmtpServer, TEST_USER } from '../helpers/smtp-test-server';

const INTERNAL = /@(corp|customer)\.relaydesk\.test$/;
const relayDenied = (address: string) => (INTERNAL.test(address) ? undefined : { code: 554, message: `5.7.1 <${address}>: Relay access denied` });

test('a server that relays only for internal domains: validation fails on the relay check, on authMethod, nothing sent', async () => {
  const server = await startSmtpServer({ authOptional: true, rcptToReplyFor: relayDenied });
  try {
    const result = await probe(configFor(server.port, { authMethod: 'none', username: '', password: '' }));
    assert.equal(result.ok, false);
    assert.deepEqual(stepNames(result).slice(-3), ['mail', 'rcpt', 'relay']);
    const step = lastStep(result);
    assert.equal(step.hint?.code, 'RELAY_DENIED');
    assert.equal(step.field, 'authMethod');
    assert.equal(step.hint?.params.address, 'relaydesk-relay-check@example.com');
    assert.match(step.reply, /^554 5\.7\.1 .*Relay access denied/);
    assert.ok(result.transcript.some((l) => l.dir === 'C' && l.text === 'RCPT TO:<relaydesk-relay-check@example.com>'));
    assert.ok(!result.transcript.some((l) => l.dir === 'C' && l.text === 'DATA'));
    assert.equal(server.received.length, 0);
  } finally {
    await server.close();
  }
});

test('the same server with authentication relays: the relay step passes, then RSET, nothing sent', async () => {
  const server = await startScriptedServer({
    replies: {
      EHLO: '250-relay.relaydesk.test\r\n250 STARTTLS',
      MAIL: '250 2.1.0 Ok',
      RCPT: '250 2.1.5 Ok',
      RSET: '250 2.0.0 Ok',
      QUIT: '221 2.0.0 Bye',
    },
  });
  try {
    const result = await probe(configFor(server.port, { encryption: 'none', authMethod: 'none', username: '', password: '' }));
    assert.equal(result.ok, true, JSON.stringify(result.steps.at(-1)));
    assert.deepEqual(stepNames(result).slice(-3), ['rcpt', 'relay', 'quit']);
    assert.deepEqual(server.commands.slice(-4), [`RCPT TO:<${RECIPIENT}>`, 'RCPT TO:<relaydesk-relay-check@example.com>', 'RSET', 'QUIT']);
    assert.ok(!server.commands.includes('DATA'));
  } finally {
    await server.close();
  }
});

test('an outside test recipient refused for relaying → RELAY_DENIED on authMethod, not on the test recipient', async () => {
  const server = await startSmtpServer({ authOptional: true, rcptToReplyFor: relayDenied });
  try {
    const result = await probe(configFor(server.port, { authMethod: 'none', username: '', password: '', testRecipient: 'ops@elsewhere.test' }));
    const step = lastStep(result);
    assert.equal(step.step, 'rcpt');
    assert.equal(step.hint?.code, 'RELAY_DENIED');
    assert.equal(step.field, 'authMethod');
  } finally {
    await server.close();
  }
});

test('a refusal of the check address that is not about relaying only warns (RELAY_UNCONFIRMED), the run passes', async () => {
  const server = await startSmtpServer({
    authOptional: true,
    rcptToReplyFor: (a) => (INTERNAL.test(a) ? undefined : { code: 450, message: `4.1.2 <${a}>: Recipient address rejected: Domain not found` }),
  });
  try {
    const result = await probe(configFor(server.port, { authMethod: 'none', username: '', password: '' }));
    assert.equal(result.ok, true);
    const relay = result.steps.find((s) => s.step === 'relay')!;
    assert.equal(relay.hint?.code, 'RELAY_UNCONFIRMED');
  } finally {
    await server.close();
  }
});

test('the check address is outside both the no-reply and the test recipient domains', () => {
  assert.equal(relayCheckAddress(NO_REPLY, RECIPIENT), 'relaydesk-relay-check@example.com');
  assert.equal(relayCheckAddress('noreply@example.com', 'ops@mail.example.net'), 'relaydesk-relay-check@example.org');
});

/** A plain-text server that lists AUTH (or not) and answers RCPT with a delayed rejection. */
async function delayedRejection(rcptReply: string, { offerAuth = true, mailReply = '250 2.1.0 Ok' } = {}) {
  return startScriptedServer({
    replies: {
      EHLO: `250-postfix.relaydesk.test\r\n250-PIPELINING\r\n${offerAuth ? '250-AUTH PLAIN LOGIN\r\n' : ''}250 ENHANCEDSTATUSCODES`,
      AUTH: '235 2.7.0 Authentication successful',
      MAIL: mailReply,
      RCPT: rcptReply,
      QUIT: '221 2.0.0 Bye',
    },
  });
}

async function rcptVerdict(rcptReply: string, options: Parameters<typeof delayedRejection>[1], overrides: Parameters<typeof configFor>[1]) {
  const server = await delayedRejection(rcptReply, options);
  try {
    const result = await probe(configFor(server.port, { encryption: 'none', ...overrides }));
    assert.equal(result.ok, false);
    return lastStep(result);
  } finally {
    await server.close();
  }
}

const NO_AUTH = { authMethod: 'none', username: '', password: '' } as const;

test('"Helo command rejected" at RCPT (smtpd_helo_restrictions, delayed) → HELO_REJECTED on heloDomain', async () => {
  const step = await rcptVerdict('504 5.5.2 <localhost>: Helo command rejected: need fully-qualified hostname', {}, { ...NO_AUTH, heloDomain: 'localhost' });
  assert.equal(step.step, 'rcpt');
  assert.equal(step.hint?.code, 'HELO_REJECTED');
  assert.equal(step.field, 'heloDomain');
});

test('a temporary "Helo command rejected: Host not found" still names heloDomain', async () => {
  const step = await rcptVerdict('450 4.7.1 <mail.unknown.test>: Helo command rejected: Host not found', {}, NO_AUTH);
  assert.equal(step.field, 'heloDomain');
});

test('"Sender address rejected: not logged in" with AUTH offered and none configured → AUTH_REQUIRED on authMethod', async () => {
  const step = await rcptVerdict(`553 5.7.1 <${NO_REPLY}>: Sender address rejected: not logged in`, {}, NO_AUTH);
  assert.equal(step.hint?.code, 'AUTH_REQUIRED');
  assert.equal(step.field, 'authMethod');
});

test('"Client host rejected: Access denied" with AUTH offered and none configured → AUTH_REQUIRED on authMethod', async () => {
  const step = await rcptVerdict('554 5.7.1 <unknown[127.0.0.1]>: Client host rejected: Access denied', {}, NO_AUTH);
  assert.equal(step.hint?.code, 'AUTH_REQUIRED');
  assert.equal(step.field, 'authMethod');
});

test('"Access denied" from a server without AUTH → CLIENT_REJECTED (the mail admin must allow us), not the test recipient', async () => {
  const step = await rcptVerdict('554 5.7.1 <unknown[127.0.0.1]>: Client host rejected: Access denied', { offerAuth: false }, NO_AUTH);
  assert.equal(step.hint?.code, 'CLIENT_REJECTED');
  assert.equal(step.field, null);
});

test('"not owned by user" (reject_sender_login_mismatch) → SENDER_NOT_OWNED on noReplyAddress, naming the login', async () => {
  const step = await rcptVerdict(
    `553 5.7.1 <${NO_REPLY}>: Sender address rejected: not owned by user ${TEST_USER.username}`,
    {},
    { authMethod: 'plain', plaintextAuthAcknowledged: true },
  );
  assert.equal(step.hint?.code, 'SENDER_NOT_OWNED');
  assert.equal(step.field, 'noReplyAddress');
  assert.equal(step.hint?.params.username, TEST_USER.username);
  assert.equal(step.hint?.params.address, NO_REPLY);
  assert.ok(step.reply.includes(TEST_USER.username), 'the username is not a secret: the reply stays readable');
});

test('the same refusal at MAIL FROM (smtpd_delay_reject = no) names the same field', async () => {
  const server = await delayedRejection('250 2.1.5 Ok', { mailReply: `553 5.7.1 <${NO_REPLY}>: Sender address rejected: not owned by user ${TEST_USER.username}` });
  try {
    const step = lastStep(await probe(configFor(server.port, { encryption: 'none', authMethod: 'plain', plaintextAuthAcknowledged: true })));
    assert.equal(step.step, 'mail');
    assert.equal(step.hint?.code, 'SENDER_NOT_OWNED');
    assert.equal(step.field, 'noReplyAddress');
  } finally {
    await server.close();
  }
});

test('a wrong username, when the reply says so (Cyrus SASL "user not found") → AUTH_USER_UNKNOWN on username', async () => {
  const server = await startSmtpServer({ authReply: { code: 535, message: '5.7.8 Error: authentication failed: user not found' } });
  try {
    const step = lastStep(await probe(configFor(server.port)));
    assert.equal(step.step, 'auth');
    assert.equal(step.hint?.code, 'AUTH_USER_UNKNOWN');
    assert.equal(step.field, 'username');
  } finally {
    await server.close();
  }
});

test('a reply naming both username and password stays AUTH_FAILED on the password', async () => {
  const server = await startSmtpServer({ authReply: { code: 535, message: '5.7.8 Username and Password not accepted' } });
  try {
    const step = lastStep(await probe(configFor(server.port)));
    assert.equal(step.hint?.code, 'AUTH_FAILED');
    assert.equal(step.field, 'password');
  } finally {
    await server.close();
  }
});
