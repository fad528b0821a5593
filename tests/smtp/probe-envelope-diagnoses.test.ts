// MAIL FROM, RCPT TO and DATA refusals.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { configFor, lastStep, NO_REPLY, probe, RECIPIENT } from '../helpers/smtp-fixtures';
import { startSmtpServer, type TestServerOptions } from '../helpers/smtp-test-server';

async function failedStep(options: TestServerOptions, kind: 'validate' | 'test-send' = 'validate', overrides = {}) {
  const server = await startSmtpServer(options);
  try {
    const result = await probe(configFor(server.port, overrides), { kind });
    assert.equal(result.ok, false);
    return { step: lastStep(result), received: server.received.length };
  } finally {
    await server.close();
  }
}

test('Microsoft 365 SendAsDenied → SENDER_REFUSED on the no-reply address', async () => {
  const { step } = await failedStep({
    mailFromReply: { code: 550, message: '5.7.60 SMTP; Client does not have permissions to send as this sender. SendAsDenied' },
  });
  assert.equal(step.step, 'mail');
  assert.equal(step.hint?.code, 'SENDER_REFUSED');
  assert.equal(step.hint?.params.address, NO_REPLY);
  assert.equal(step.field, 'noReplyAddress');
});

test('"Email address is not verified" (Amazon SES) → SENDER_REFUSED', async () => {
  const { step } = await failedStep({
    mailFromReply: { code: 554, message: 'Message rejected: Email address is not verified.' },
  });
  assert.equal(step.hint?.code, 'SENDER_REFUSED');
  assert.equal(step.field, 'noReplyAddress');
});

test('SendAsDenied at the end of DATA (where Exchange reports it) → SENDER_REFUSED, nothing delivered', async () => {
  const { step, received } = await failedStep(
    { dataReply: { code: 554, message: '5.2.252 SendAsDenied; noreply@corp.relaydesk.test not allowed to send as noreply@corp.relaydesk.test' } },
    'test-send',
  );
  assert.equal(step.step, 'data');
  assert.equal(step.hint?.code, 'SENDER_REFUSED');
  assert.equal(received, 0);
});

test('recipient refused → RECIPIENT_REFUSED on the test recipient', async () => {
  const { step } = await failedStep({ rcptToReply: { code: 550, message: '5.1.1 <admin@customer.relaydesk.test>: Recipient address rejected: User unknown' } });
  assert.equal(step.step, 'rcpt');
  assert.equal(step.hint?.code, 'RECIPIENT_REFUSED');
  assert.equal(step.hint?.params.address, RECIPIENT);
  assert.equal(step.field, 'testRecipient');
});

test('SIZE smaller than the message: 552 at MAIL FROM → MESSAGE_TOO_LARGE', async () => {
  const { step } = await failedStep({ size: 200 });
  assert.equal(step.step, 'mail');
  assert.equal(step.hint?.code, 'MESSAGE_TOO_LARGE');
  assert.match(step.reply, /^552 /);
});

test('552 after DATA → MESSAGE_TOO_LARGE', async () => {
  const { step } = await failedStep({ dataReply: { code: 552, message: '5.3.4 Message size exceeds fixed limit' } }, 'test-send');
  assert.equal(step.step, 'data');
  assert.equal(step.hint?.code, 'MESSAGE_TOO_LARGE');
});

test('sending without authentication to a server that requires it → AUTH_REQUIRED', async () => {
  const { step } = await failedStep({}, 'validate', { authMethod: 'none' });
  assert.equal(step.step, 'mail');
  assert.equal(step.hint?.code, 'AUTH_REQUIRED');
  assert.equal(step.field, 'authMethod');
});

test('a temporary refusal (451 greylisting) → TEMPORARY_FAILURE', async () => {
  const { step } = await failedStep({ rcptToReply: { code: 451, message: '4.7.1 Greylisted, please try again later' } });
  assert.equal(step.step, 'rcpt');
  assert.equal(step.hint?.code, 'TEMPORARY_FAILURE');
});
