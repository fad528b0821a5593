// No password survives into a probe result, in plain text or in any base64 form AUTH uses; the
// username is not a secret and stays readable where the customer needs it (decision 012).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { REDACTED, redactSecrets, secretForms } from '../../server/smtp/redact';
import type { ProbeResult } from '../../server/smtp/types';
import { startScriptedServer } from '../helpers/smtp-raw-servers';
import { configFor, probe } from '../helpers/smtp-fixtures';
import { startSmtpServer, TEST_USER } from '../helpers/smtp-test-server';

const { username, password } = TEST_USER;
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

const FORBIDDEN = [password, b64(username), b64(password), b64(`\0${username}\0${password}`), b64(`${username}\0${username}\0${password}`)].flatMap((form) => [
  form,
  form.replace(/=+$/, ''),
]);

function assertNoSecrets(result: ProbeResult, label: string) {
  const json = JSON.stringify(result);
  for (const form of FORBIDDEN) assert.ok(!json.includes(form), `${label}: found ${JSON.stringify(form)} in the result`);
}

test('PLAIN, LOGIN and CRAM-MD5 runs (success and failure) keep no credential, in any form', async () => {
  const server = await startSmtpServer();
  try {
    for (const authMethod of ['plain', 'login', 'cram-md5'] as const) {
      const good = await probe(configFor(server.port, { authMethod }), { kind: 'test-send' });
      assert.equal(good.ok, true, `${authMethod}: ${JSON.stringify(good.steps.at(-1))}`);
      assertNoSecrets(good, `${authMethod} ok`);
      assert.ok(
        good.transcript.some((l) => l.dir === 'C' && l.text.includes(REDACTED)),
        'the AUTH exchange is shown, redacted',
      );

      const bad = await probe(configFor(server.port, { authMethod, password: `${password}-wrong` }));
      assert.equal(bad.steps.at(-1)?.hint?.code, 'AUTH_FAILED');
      // The wrong password contains the right one: redacting the right one must still cover it.
      assertNoSecrets(bad, `${authMethod} failed`);
    }
    // The server really got the credentials: the redaction is in the record, not on the wire.
    assert.deepEqual(
      server.auths.filter((a) => a.username === username).map((a) => a.method),
      ['PLAIN', 'PLAIN', 'LOGIN', 'LOGIN', 'CRAM-MD5', 'CRAM-MD5'],
    );
  } finally {
    await server.close();
  }
});

test('a server that echoes the credentials back has them redacted in replies, details and hints', async () => {
  const server = await startScriptedServer({
    replies: {
      EHLO: '250-echo.relaydesk.test\r\n250 AUTH PLAIN',
      AUTH: `535 5.7.8 Authentication failed for ${username} (${b64(username)}) with ${password}`,
      QUIT: '221 Bye',
    },
  });
  try {
    const result = await probe(configFor(server.port, { encryption: 'none', authMethod: 'plain', plaintextAuthAcknowledged: true }));
    const auth = result.steps.at(-1)!;
    assert.equal(auth.hint?.code, 'AUTH_FAILED');
    assert.match(auth.reply, new RegExp(`^535 5\\.7\\.8 Authentication failed for ${username.replace(/\./g, '\\.')} \\(\\[redacted\\]\\) with \\[redacted\\]$`));
    assertNoSecrets(result, 'echo');
    assert.ok(server.commands.includes(`AUTH PLAIN ${b64(`\0${username}\0${password}`)}`));
  } finally {
    await server.close();
  }
});

test('redactSecrets cleans error messages and logs', () => {
  const secrets = secretForms(username, password);
  const text = `login ${username} / ${password} → ${b64(`\0${username}\0${password}`)} and ${b64(password).replace(/=+$/, '')}`;
  const clean = redactSecrets(text, secrets);
  for (const form of FORBIDDEN) assert.ok(!clean.includes(form), form);
  assert.equal(clean, `login ${username} / ${REDACTED} → ${REDACTED} and ${REDACTED}`);
  assert.equal(redactSecrets('nothing secret here', secrets), 'nothing secret here');
});

test('a long secret (an access token) is found whatever came before it: after short lines, in any case, more than once', () => {
  const token = `eyJ${'a1B2c3D4'.repeat(100)}`;
  const secrets = secretForms('mailbox@example.com', token);
  // Short lines first: they cannot hold the token, and must not stop a later line from being searched.
  for (const line of ['', '250 OK', 'x'.repeat(token.length - 1)]) assert.equal(redactSecrets(line, secrets), line);
  const line = `{"access_token":"${token}","echo":"${token.toUpperCase()}","b64":"${b64(token)}"}`;
  const cleaned = redactSecrets(line, secrets);
  assert.equal(cleaned, `{"access_token":"${REDACTED}","echo":"${REDACTED}","b64":"${REDACTED}"}`);
});

test('the username stays readable: MAIL FROM and "does not allow sending as" name the mailbox (Microsoft 365 style)', async () => {
  const mailbox = username;
  const server = await startScriptedServer({
    replies: {
      EHLO: '250-m365.relaydesk.test\r\n250 AUTH LOGIN PLAIN',
      AUTH: '235 2.7.0 Authentication successful',
      MAIL: `550 5.7.60 SMTP; Client does not have permissions to send as this sender; does not allow sending as ${mailbox}`,
      QUIT: '221 Bye',
    },
  });
  try {
    const result = await probe(configFor(server.port, { encryption: 'none', authMethod: 'plain', plaintextAuthAcknowledged: true, noReplyAddress: mailbox }));
    const mail = result.steps.at(-1)!;
    assert.equal(mail.step, 'mail');
    assert.equal(mail.hint?.code, 'SENDER_REFUSED');
    assert.equal(mail.hint?.params.address, mailbox);
    assert.ok(mail.reply.includes(`does not allow sending as ${mailbox}`), mail.reply);
    assert.ok(
      result.transcript.some((l) => l.dir === 'C' && l.text === `MAIL FROM:<${mailbox}>`),
      'MAIL FROM shows the mailbox',
    );
    assertNoSecrets(result, 'mailbox');
  } finally {
    await server.close();
  }
});
