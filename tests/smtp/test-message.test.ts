// The test email: headers as the pipeline sends them, and a DATA phase that survives dot-lines.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SmtpClient, openSocket } from '../../server/smtp/smtp-client';
import { buildTestMessage } from '../../server/smtp/test-message';
import { startSmtpServer } from '../helpers/smtp-test-server';

const config = { noReplyAddress: 'noreply@Corp.Example', noReplyName: '通知 Notifications', host: 'smtp.corp.example', port: 587 };

/** Quoted-printable (body and Q encoded-words) → text, enough to read our own template. */
function decodeQp(text: string): string {
  const bytes = text.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => `%${hex}`);
  return decodeURIComponent(bytes);
}

function header(raw: string, name: string): string {
  const unfolded = raw.split('\r\n\r\n')[0]!.replace(/\r\n[ \t]+/g, ' ');
  const line = unfolded.split('\r\n').find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}: `));
  assert.ok(line, `no ${name} header`);
  return line.slice(name.length + 2).replace(/=\?UTF-8\?Q\?(.*?)\?=(?:\s+(?==\?))?/g, (_, q: string) => decodeQp(q.replace(/_/g, ' ')));
}

test('From is the named no-reply address, To is the no-reply address, the recipient is only in the envelope', async () => {
  const message = await buildTestMessage(config, 'someone@customer.example', { locale: 'en' });
  const raw = message.raw.toString('utf8');
  // nodemailer lowercases the domain in headers; the envelope keeps the address as configured.
  assert.equal(header(raw, 'From'), '通知 Notifications <noreply@corp.example>');
  assert.equal(header(raw, 'To'), 'noreply@corp.example');
  assert.ok(!raw.includes('someone@customer.example'));
  assert.deepEqual(message.envelope, { from: 'noreply@Corp.Example', to: ['someone@customer.example'] });
  assert.match(message.messageId, /^<[0-9a-f-]{36}@corp\.example>$/);
  assert.equal(header(raw, 'Message-ID'), message.messageId);
  assert.equal(header(raw, 'Auto-Submitted'), 'auto-generated');
});

test('the template is bilingual, the requested locale first', async () => {
  const en = await buildTestMessage(config, 'a@b.example', { locale: 'en' });
  const zh = await buildTestMessage(config, 'a@b.example', { locale: 'zh-CN' });
  assert.equal(header(en.raw.toString(), 'Subject'), 'Relaydesk test email / Relaydesk 测试邮件');
  assert.equal(header(zh.raw.toString(), 'Subject'), 'Relaydesk 测试邮件 / Relaydesk test email');
  const body = decodeQp(zh.raw.toString().split('\r\n\r\n').slice(1).join('\r\n\r\n'));
  assert.ok(body.indexOf('测试邮件') < body.indexOf('This is a test email'));
  assert.ok(body.includes('smtp.corp.example:587'));
  assert.notEqual(en.messageId, zh.messageId);
});

test('DATA dot-stuffs lines starting with "." so the server receives them unchanged', async () => {
  const server = await startSmtpServer({ authOptional: true, disabledCommands: ['STARTTLS'] });
  const client = new SmtpClient(await openSocket('127.0.0.1', server.port, 1000), () => {});
  try {
    const body = 'Subject: dots\r\n\r\n.\r\n..two\r\n.leading\r\nend';
    assert.equal((await client.readReply(1000)).code, 220);
    const ehlo = await client.command('EHLO [127.0.0.1]', 1000);
    assert.ok(ehlo.lines.length > 1, 'multi-line reply collected into one');
    assert.equal((await client.command('MAIL FROM:<a@relaydesk.test>', 1000)).code, 250);
    assert.equal((await client.command('RCPT TO:<b@relaydesk.test>', 1000)).code, 250);
    assert.equal((await client.command('DATA', 1000)).code, 354);
    assert.equal((await client.sendMessage(Buffer.from(body), 1000)).code, 250);
    assert.equal(server.received[0]?.raw, `${body}\r\n`);
    assert.throws(() => client.send('RCPT TO:<x@y>\r\nDATA'), /CR, LF or NUL/);
  } finally {
    client.close();
    await server.close();
  }
});
