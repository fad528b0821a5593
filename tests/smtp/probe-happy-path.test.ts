import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ProbeStep } from '../../server/smtp/types';
import { TEST_HOST } from '../helpers/smtp-certs';
import { configFor, NO_REPLY, probe, RECIPIENT, stepNames } from '../helpers/smtp-fixtures';
import { startSmtpServer, TEST_USER, type TestSmtpServer } from '../helpers/smtp-test-server';

describe('probe against a healthy STARTTLS server', () => {
  let server: TestSmtpServer;
  before(async () => {
    server = await startSmtpServer({ size: 1024 * 1024 });
  });
  after(() => server.close());

  test('validate walks every step, streams them in order, and sends no message', async () => {
    const streamed: ProbeStep[] = [];
    const result = await probe(configFor(server.port), { onStep: (s) => streamed.push(s) });

    assert.equal(result.ok, true, JSON.stringify(result.steps, null, 1));
    assert.equal(result.kind, 'validate');
    assert.deepEqual(stepNames(result), ['dns', 'connect', 'greeting', 'ehlo', 'starttls', 'tls', 'ehlo', 'auth', 'mail', 'rcpt', 'relay', 'quit']);
    assert.deepEqual(streamed, result.steps);
    assert.ok(result.steps.every((s) => s.ok && s.hint === null && s.field === null && s.ms >= 0));
    assert.match(result.steps[2]!.reply, /^220 /);
    assert.match(result.steps.find((s) => s.step === 'auth')!.detail, /Authenticated with PLAIN/);
    assert.equal(server.received.length, 0, 'validate must not send');
    assert.equal(server.auths.at(-1)?.username, TEST_USER.username);

    assert.ok(result.capabilities?.some((c) => /^AUTH .*PLAIN/.test(c)));
    assert.ok(result.capabilities?.includes('SIZE 1048576'));
    assert.equal(result.tls?.protocol, 'TLSv1.3');
    assert.ok(result.tls?.cipher);
    assert.deepEqual(
      result.tls?.certificates.map((c) => c.subject),
      [`CN=${TEST_HOST}`, 'CN=Relaydesk Test CA'],
    );
    assert.deepEqual(result.tls?.certificates[0]?.subjectAltNames, [`DNS:${TEST_HOST}`]);
    assert.equal(result.messageId, undefined);

    const sent = result.transcript.filter((l) => l.dir === 'C').map((l) => l.text);
    assert.equal(sent[0], 'EHLO [127.0.0.1]');
    assert.ok(sent.includes('STARTTLS'));
    assert.match(
      sent.find((l) => l.startsWith('MAIL FROM'))!,
      new RegExp(`^MAIL FROM:<${NO_REPLY}> SIZE=\\d+$`),
    );
    assert.ok(sent.includes(`RCPT TO:<${RECIPIENT}>`));
    assert.ok(!sent.includes('DATA'));
    assert.ok(result.transcript.every((l, i, all) => i === 0 || l.at >= all[i - 1]!.at));
  });

  test('test-send delivers the template with From/To = no-reply and the recipient only in the envelope', async () => {
    const before = server.received.length;
    const result = await probe(configFor(server.port, { heloDomain: 'relay.customer.test' }), {
      kind: 'test-send',
      to: 'tam@relaydesk.test',
    });

    assert.equal(result.ok, true, JSON.stringify(result.steps, null, 1));
    assert.deepEqual(stepNames(result).slice(-4), ['mail', 'rcpt', 'data', 'quit']);
    assert.match(result.finalReply ?? '', /^250 /);
    assert.match(result.messageId ?? '', /^<[0-9a-f-]+@corp\.relaydesk\.test>$/);
    assert.equal(result.transcript.find((l) => l.dir === 'C')?.text, 'EHLO relay.customer.test');

    assert.equal(server.received.length, before + 1);
    const mail = server.received.at(-1)!;
    assert.equal(mail.mailFrom, NO_REPLY);
    assert.deepEqual(mail.rcptTo, ['tam@relaydesk.test']);
    assert.equal(mail.user, TEST_USER.username);
    assert.match(mail.raw, /^From: Relaydesk Notifications <noreply@corp\.relaydesk\.test>$/m);
    assert.match(mail.raw, /^To: noreply@corp\.relaydesk\.test$/m);
    assert.ok(!mail.raw.includes('tam@relaydesk.test'), 'the real recipient must not be in the headers');
    assert.ok(mail.raw.includes(`Message-ID: ${result.messageId}`));
    assert.match(mail.raw, /^Subject: .*Relaydesk/m);
  });

  test('each explicit mechanism authenticates, and auto picks PLAIN inside TLS', async () => {
    for (const authMethod of ['plain', 'login', 'cram-md5'] as const) {
      const result = await probe(configFor(server.port, { authMethod }));
      assert.equal(result.ok, true, `${authMethod}: ${JSON.stringify(result.steps.at(-1))}`);
      assert.equal(server.auths.at(-1)?.method, authMethod.toUpperCase());
    }
  });
});

test('implicit TLS: the handshake comes before the greeting, no STARTTLS', async () => {
  const server = await startSmtpServer({ secure: true });
  try {
    const result = await probe(configFor(server.port, { encryption: 'tls' }), { kind: 'test-send' });
    assert.equal(result.ok, true, JSON.stringify(result.steps, null, 1));
    assert.deepEqual(stepNames(result), ['dns', 'connect', 'tls', 'greeting', 'ehlo', 'auth', 'mail', 'rcpt', 'data', 'quit']);
    assert.equal(server.received.length, 1);
  } finally {
    await server.close();
  }
});

test('plain text with auto auth prefers CRAM-MD5, so the password never crosses in the clear', async () => {
  const server = await startSmtpServer({ disabledCommands: ['STARTTLS'], allowInsecureAuth: true });
  try {
    const result = await probe(configFor(server.port, { encryption: 'none' }));
    assert.equal(result.ok, true, JSON.stringify(result.steps, null, 1));
    assert.equal(server.auths.at(-1)?.method, 'CRAM-MD5');
    assert.equal(result.tls, undefined);
  } finally {
    await server.close();
  }
});

test('authentication none skips AUTH against a server that does not require it', async () => {
  const server = await startSmtpServer({ authOptional: true });
  try {
    const result = await probe(configFor(server.port, { authMethod: 'none', username: '', password: '' }));
    assert.equal(result.ok, true, JSON.stringify(result.steps, null, 1));
    assert.ok(!stepNames(result).includes('auth'));
    assert.equal(server.auths.length, 0);
  } finally {
    await server.close();
  }
});
