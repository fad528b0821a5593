import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SmtpRequestSchema, SmtpRequestPatchSchema, portEncryptionWarning, fieldErrors } from '@/lib/smtp-request-schema';

const valid = {
  host: 'smtp.example.com',
  port: 587,
  encryption: 'starttls',
  authMethod: 'login',
  username: 'mailer',
  password: 'pw',
  noReplyAddress: 'noreply@example.com',
  testRecipient: 'ops@example.com',
};

function codes(body: Record<string, unknown>) {
  const r = SmtpRequestSchema.safeParse(body);
  return r.success ? {} : Object.fromEntries(fieldErrors(r.error).map((e) => [e.path, e.message]));
}

test('a complete request parses, with defaults for the optional fields', () => {
  const r = SmtpRequestSchema.parse(valid);
  assert.equal(r.heloDomain, '');
  assert.equal(r.notes, '');
});

test('server addresses: names, IP literals, lengths', () => {
  for (const host of ['smtp.example.com', 'mail', '192.0.2.10', '2001:db8::1', 'smtp.example.com.']) assert.deepEqual(codes({ ...valid, host }), {}, host);
  assert.equal(codes({ ...valid, host: 'smtp example.com' }).host, 'whitespace');
  assert.equal(codes({ ...valid, host: `${'a'.repeat(64)}.example.com` }).host, 'labelTooLong');
  assert.equal(codes({ ...valid, host: `${'abcdefghi.'.repeat(26)}com` }).host, 'hostTooLong');
  assert.equal(codes({ ...valid, host: 'smtp_.example.com' }).host, 'hostInvalid');
  assert.equal(codes({ ...valid, host: '' }).host, 'required');
});

test('CR, LF, NUL and other control characters are refused in every field that reaches SMTP', () => {
  for (const field of ['host', 'username', 'password', 'heloDomain', 'noReplyAddress', 'noReplyName', 'supportContact', 'testRecipient']) {
    for (const ch of ['\r', '\n', '\u0000', '\u0007', '\u0085']) {
      const base = String((valid as Record<string, unknown>)[field] ?? 'x');
      const result = codes({ ...valid, [field]: `${base}${ch}x` });
      assert.ok(result[field], `${field} with U+${ch.charCodeAt(0).toString(16)}`);
    }
  }
  assert.deepEqual(codes({ ...valid, notes: 'line one\nline two' }), {}, 'notes never reach SMTP and may have line breaks');
});

test('addresses follow RFC 5321 limits', () => {
  assert.equal(codes({ ...valid, noReplyAddress: `${'a'.repeat(64)}@example.com` }).noReplyAddress, undefined);
  assert.equal(codes({ ...valid, noReplyAddress: `${'a'.repeat(65)}@example.com` }).noReplyAddress, 'localPartTooLong');
  assert.equal(codes({ ...valid, testRecipient: `a@${`${'b'.repeat(60)}.`.repeat(5)}com` }).testRecipient, 'emailTooLong');
  assert.equal(codes({ ...valid, testRecipient: 'no-at-sign' }).testRecipient, 'emailInvalid');
  assert.equal(codes({ ...valid, testRecipient: 'a@localhost' }).testRecipient, 'emailInvalid');
});

test('support contact: email or http(s) URL only', () => {
  for (const ok of ['help@example.com', 'https://support.example.com/x', 'http://example.com']) assert.deepEqual(codes({ ...valid, supportContact: ok }), {}, ok);
  for (const bad of ['ftp://example.com', 'javascript:alert(1)', 'https://', 'support', 'https://exa mple.com']) {
    assert.equal(codes({ ...valid, supportContact: bad }).supportContact, 'supportContactInvalid', bad);
  }
});

test('ports and choices', () => {
  assert.equal(codes({ ...valid, port: 0 }).port, 'portRange');
  assert.equal(codes({ ...valid, port: 65536 }).port, 'portRange');
  assert.equal(codes({ ...valid, port: 25.5 }).port, 'portInvalid');
  assert.equal(codes({ ...valid, port: 'abc' }).port, 'portInvalid');
  assert.deepEqual(codes({ ...valid, port: '2525' }), {}, 'the form sends strings');
  assert.equal(codes({ ...valid, encryption: 'ssl' }).encryption, 'choose');
  assert.equal(codes({ ...valid, authMethod: 'xoauth2' }).authMethod, 'choose');
});

test('credentials are required unless authentication is none, and every error is reported at once', () => {
  const r = codes({ ...valid, username: '', password: '', host: 'bad host' });
  assert.deepEqual(Object.keys(r).sort(), ['host', 'password', 'username']);
  assert.deepEqual(codes({ ...valid, authMethod: 'none', username: '', password: '' }), {});
});

test('a patch names only what changes, and applies no defaults', () => {
  assert.deepEqual(SmtpRequestPatchSchema.parse({ port: 465 }), { port: 465 });
  assert.equal(SmtpRequestPatchSchema.safeParse({ host: 'a\nb' }).success, false);
});

test('port and encryption mismatch warning', () => {
  assert.equal(portEncryptionWarning(465, 'starttls'), 'starttlsOn465');
  assert.equal(portEncryptionWarning(587, 'tls'), 'implicitTlsOn587');
  assert.equal(portEncryptionWarning(465, 'tls'), null);
  assert.equal(portEncryptionWarning(587, 'starttls'), null);
});
