// AUTH failures, each against a server answering the way the real provider does.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startScriptedServer } from '../helpers/smtp-raw-servers';
import { configFor, lastStep, probe } from '../helpers/smtp-fixtures';
import { startSmtpServer, type TestServerOptions } from '../helpers/smtp-test-server';

async function authStep(options: TestServerOptions, overrides: Parameters<typeof configFor>[1] = {}) {
  const server = await startSmtpServer(options);
  try {
    const result = await probe(configFor(server.port, overrides));
    assert.equal(result.ok, false);
    return lastStep(result);
  } finally {
    await server.close();
  }
}

test('wrong password: 535 → AUTH_FAILED pointing at the password', async () => {
  const step = await authStep({}, { password: 'not-the-password' });
  assert.equal(step.step, 'auth');
  assert.equal(step.hint?.code, 'AUTH_FAILED');
  assert.equal(step.field, 'password');
  assert.match(step.reply, /^535 /);
});

test('Microsoft 365 535 5.7.139 → M365_SMTP_AUTH_DISABLED', async () => {
  const step = await authStep({
    authReply: { code: 535, message: '5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.' },
  });
  assert.equal(step.hint?.code, 'M365_SMTP_AUTH_DISABLED');
  assert.equal(step.field, null);
});

test('Gmail 534 5.7.9 → GMAIL_APP_PASSWORD pointing at the password', async () => {
  const step = await authStep({
    authReply: { code: 534, message: '5.7.9 Application-specific password required. Learn more at https://support.google.com/mail/?p=InvalidSecondFactor' },
  });
  assert.equal(step.hint?.code, 'GMAIL_APP_PASSWORD');
  assert.equal(step.field, 'password');
});

test('server without AUTH → AUTH_NOT_OFFERED on the authentication setting', async () => {
  const step = await authStep({ disabledCommands: ['AUTH'] });
  assert.equal(step.step, 'auth');
  assert.equal(step.hint?.code, 'AUTH_NOT_OFFERED');
  assert.equal(step.field, 'authMethod');
});

test('chosen mechanism not offered → AUTH_METHOD_NOT_OFFERED listing what is', async () => {
  const step = await authStep({ authMethods: ['PLAIN', 'LOGIN'] }, { authMethod: 'cram-md5' });
  assert.deepEqual(step.hint, { code: 'AUTH_METHOD_NOT_OFFERED', params: { method: 'cram-md5', offered: 'PLAIN LOGIN' } });
  assert.equal(step.field, 'authMethod');
});

test('AUTH listed only after STARTTLS, encryption none → AUTH_ONLY_AFTER_TLS on the encryption setting', async () => {
  const server = await startScriptedServer({
    replies: { EHLO: '250-scripted.relaydesk.test\r\n250-STARTTLS\r\n250 SIZE 1000000', QUIT: '221 Bye' },
  });
  try {
    const step = lastStep(await probe(configFor(server.port, { encryption: 'none' })));
    assert.equal(step.step, 'auth');
    assert.equal(step.hint?.code, 'AUTH_ONLY_AFTER_TLS');
    assert.equal(step.field, 'encryption');
    assert.ok(!server.commands.some((c) => c.startsWith('AUTH')));
  } finally {
    await server.close();
  }
});

test('AUTH refused with 538 "Must issue a STARTTLS command first" → AUTH_ONLY_AFTER_TLS', async () => {
  // smtp-server lists AUTH before TLS but refuses it until STARTTLS, like many real servers.
  const step = await authStep({ allowInsecureAuth: false }, { encryption: 'none', authMethod: 'plain' });
  assert.equal(step.hint?.code, 'AUTH_ONLY_AFTER_TLS');
  assert.match(step.reply, /^538 /);
});
