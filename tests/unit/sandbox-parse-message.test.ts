// The sandbox inbox shows what a mail client would: decoded headers and the plain-text body.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeWords, parseHeaders, summarizeMessage, textBody } from '@/server/sandbox/parse-message';

const crlf = (lines: string[]) => lines.join('\r\n');

test('encoded words decode (B and Q, adjacent words joined) and folded headers unfold', () => {
  assert.equal(decodeWords('=?UTF-8?B?5rWL6K+V?= =?UTF-8?Q?_=E9=82=AE=E4=BB=B6?='), '测试 邮件');
  assert.equal(decodeWords('plain text'), 'plain text');
  const raw = crlf([
    'Subject: =?UTF-8?Q?Relaydesk_test_/?=',
    ' =?UTF-8?Q?_Relaydesk_=E6=B5=8B=E8=AF=95?=',
    'From: "Acme" <noreply@acme.example>',
    'To: noreply@acme.example',
    'Message-ID: <a@b>',
    '',
    'body',
  ]);
  assert.deepEqual(summarizeMessage(raw), {
    subject: 'Relaydesk test / Relaydesk 测试',
    headerFrom: '"Acme" <noreply@acme.example>',
    headerTo: 'noreply@acme.example',
    messageId: '<a@b>',
  });
  assert.deepEqual(
    parseHeaders(raw).map((h) => h.name),
    ['Subject', 'From', 'To', 'Message-ID'],
  );
});

test('the text body decodes quoted-printable and base64, and is found inside multipart', () => {
  const qp = crlf(['Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: quoted-printable', '', 'caf=C3=A9 with a soft =', 'break']);
  assert.equal(textBody(qp), 'café with a soft break');
  const b64 = crlf(['Content-Type: text/plain; charset="utf-8"', 'Content-Transfer-Encoding: base64', '', Buffer.from('你好').toString('base64')]);
  assert.equal(textBody(b64), '你好');
  const multipart = crlf([
    'Content-Type: multipart/alternative; boundary="--b1"',
    '',
    '----b1',
    'Content-Type: text/html',
    '',
    '<p>html</p>',
    '----b1',
    'Content-Type: text/plain',
    '',
    'plain part',
    '----b1--',
    '',
  ]);
  assert.equal(textBody(multipart)?.trim(), 'plain part');
  assert.equal(textBody(crlf(['Content-Type: text/html', '', '<p>only html</p>'])), null);
  assert.equal(textBody('No-Header-Separator: x'), '');
});
