import 'server-only';
import { randomUUID } from 'node:crypto';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import type { SmtpConfig } from './types';

// The test email carries its headers exactly as the notification pipeline will: From and To are the
// no-reply address, the real recipient is only in the envelope. A test that passes with different
// headers would prove nothing about the mail the tenant's users will get.

export type TestMessageLocale = 'en' | 'zh-CN';

export type TestMessage = {
  raw: Buffer;
  messageId: string;
  envelope: { from: string; to: string[] };
};

const TEXTS = {
  en: {
    subject: 'Relaydesk test email',
    body: [
      'This is a test email sent by Relaydesk to check the SMTP settings of your notification email.',
      'If you can read it, the server accepted and delivered it. You do not need to reply.',
    ],
  },
  'zh-CN': {
    subject: 'Relaydesk 测试邮件',
    body: ['这是 Relaydesk 为检查通知邮件的 SMTP 设置而发送的测试邮件。', '如果您能看到这封邮件，说明服务器已接受并投递。无需回复。'],
  },
} as const;

function domainOf(address: string): string {
  return address.split('@').pop()?.toLowerCase() || 'relaydesk.invalid';
}

export async function buildTestMessage(
  config: Pick<SmtpConfig, 'noReplyAddress' | 'noReplyName' | 'host' | 'port'>,
  to: string,
  { locale = 'en' }: { locale?: TestMessageLocale } = {},
): Promise<TestMessage> {
  const order: TestMessageLocale[] = locale === 'zh-CN' ? ['zh-CN', 'en'] : ['en', 'zh-CN'];
  const [first, second] = order.map((l) => TEXTS[l]);
  const messageId = `<${randomUUID()}@${domainOf(config.noReplyAddress)}>`;
  const settings = `Server: ${config.host}:${config.port}`;
  const composer = new MailComposer({
    from: config.noReplyName ? { name: config.noReplyName, address: config.noReplyAddress } : config.noReplyAddress,
    to: config.noReplyAddress,
    subject: `${first!.subject} / ${second!.subject}`,
    text: [...first!.body, '', ...second!.body, '', settings, ''].join('\n'),
    messageId,
    date: new Date(),
    headers: { 'Auto-Submitted': 'auto-generated', 'X-Relaydesk-Test': 'yes' },
    envelope: { from: config.noReplyAddress, to: [to] },
  });
  const raw = await composer.compile().build();
  return { raw, messageId, envelope: { from: config.noReplyAddress, to: [to] } };
}
