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

test('encryption none, AUTH listed only after STARTTLS, STARTTLS refused → TLS_FAILED on encryption, AUTH never sent in clear', async () => {
  const server = await startScriptedServer({
    replies: { EHLO: '250-scripted.relaydesk.test\r\n250-STARTTLS\r\n250 SIZE 1000000', STARTTLS: '454 4.7.0 TLS not available due to local problem', QUIT: '221 Bye' },
  });
  try {
    const step = lastStep(await probe(configFor(server.port, { encryption: 'none' })));
    assert.equal(step.step, 'starttls');
    assert.equal(step.hint?.code, 'TLS_FAILED');
    assert.equal(step.field, 'encryption');
    assert.ok(!server.commands.some((c) => c.startsWith('AUTH')));
  } finally {
    await server.close();
  }
});

test('encryption none against a server offering STARTTLS: upgrades before AUTH (as the pipeline does) and warns loudly on encryption', async () => {
  const server = await startSmtpServer({ allowInsecureAuth: true });
  try {
    const result = await probe(configFor(server.port, { encryption: 'none', authMethod: 'plain' }));
    assert.equal(result.ok, true, JSON.stringify(result.steps.at(-1)));
    const names = result.steps.map((s) => s.step);
    assert.ok(names.indexOf('tls') < names.indexOf('auth'), names.join(' '));
    const starttls = result.steps.find((s) => s.step === 'starttls')!;
    assert.equal(starttls.hint?.code, 'PLAINTEXT_AUTH_UPGRADED');
    assert.equal(starttls.field, 'encryption');
    assert.equal(server.auths.length, 1);
    // Before the upgrade no AUTH line was sent.
    const tlsAt = result.transcript.findIndex((l) => l.dir === 'C' && l.text === 'STARTTLS');
    assert.ok(!result.transcript.slice(0, tlsAt).some((l) => l.dir === 'C' && l.text.startsWith('AUTH')));
  } finally {
    await server.close();
  }
});

test("encryption none, the server offers no TLS at all: the password is not sent without the customer's acknowledgement", async () => {
  const script = {
    replies: {
      EHLO: '250-plain.relaydesk.test\r\n250 AUTH PLAIN LOGIN',
      AUTH: '235 2.7.0 Authentication successful',
      MAIL: '250 OK',
      RCPT: '250 OK',
      RSET: '250 OK',
      QUIT: '221 Bye',
    },
  };
  const server = await startScriptedServer(script);
  try {
    const refused = await probe(configFor(server.port, { encryption: 'none', authMethod: 'auto' }));
    const step = lastStep(refused);
    assert.equal(step.step, 'auth');
    assert.equal(step.hint?.code, 'PLAINTEXT_AUTH_UNACKNOWLEDGED');
    assert.equal(step.field, 'plaintextAuthAcknowledged');
    assert.ok(!server.commands.some((c) => c.startsWith('AUTH')), 'no AUTH line crossed the network');

    const acknowledged = await probe(configFor(server.port, { encryption: 'none', authMethod: 'auto', plaintextAuthAcknowledged: true }));
    assert.equal(acknowledged.ok, true, JSON.stringify(acknowledged.steps.at(-1)));
    const auth = acknowledged.steps.find((s) => s.step === 'auth')!;
    assert.equal(auth.hint?.code, 'PLAINTEXT_AUTH_ACKNOWLEDGED');
    assert.ok(server.commands.some((c) => c.startsWith('AUTH PLAIN ')));
  } finally {
    await server.close();
  }
});

test('CRAM-MD5 without TLS needs no acknowledgement: the password never crosses the network', async () => {
  const step = await authStep(
    { disabledCommands: ['STARTTLS'], allowInsecureAuth: true, authMethods: ['CRAM-MD5'] },
    { encryption: 'none', authMethod: 'auto', password: 'wrong' },
  );
  assert.equal(step.step, 'auth');
  assert.equal(step.hint?.code, 'AUTH_FAILED');
});
