import 'server-only';
// The message as the seed describes it: From "name <no-reply>", To the no-reply address, the real
// recipients only in the envelope, a footer with the support contact, the Message-ID stored at enqueue,
// and In-Reply-To / References to the thread's stable id so mail clients thread the conversation.
import type Mail from 'nodemailer/lib/mailer/index.js';
import { threadMessageId } from '../smtp/message-ids';

export type SendingConfig = {
  tenantId: string;
  version: number;
  noReplyAddress: string;
  noReplyName: string;
  supportContact: string;
};

export type OutboxRow = {
  id: string;
  tenantId: string;
  messageId: string;
  kind: string;
  subject: string;
  text: string;
  html: string | null;
  recipients: string;
  threadId: string | null;
  canary: boolean;
  createdAt: Date;
};

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function footers(supportContact: string): { text: string; html: string } {
  if (!supportContact) return { text: '', html: '' };
  const href = /^https?:\/\//i.test(supportContact) ? supportContact : `mailto:${supportContact}`;
  return {
    text: `\n\n-- \nNeed help? Contact support: ${supportContact}\n需要帮助？请联系支持：${supportContact}\n`,
    html: `<hr><p style="color:#666;font-size:12px">Need help? Contact support: <a href="${escapeHtml(href)}">${escapeHtml(supportContact)}</a><br>需要帮助？请联系支持：<a href="${escapeHtml(href)}">${escapeHtml(supportContact)}</a></p>`,
  };
}

export function composeNotification(row: OutboxRow, config: SendingConfig): Mail.Options {
  const footer = footers(config.supportContact);
  const thread = row.threadId ? threadMessageId(row.tenantId, row.threadId, config.noReplyAddress) : null;
  return {
    from: config.noReplyName ? { name: config.noReplyName, address: config.noReplyAddress } : config.noReplyAddress,
    to: config.noReplyAddress,
    envelope: { from: config.noReplyAddress, to: JSON.parse(row.recipients) as string[] },
    subject: row.subject,
    text: row.text + footer.text,
    ...(row.html !== null ? { html: row.html + footer.html } : {}),
    messageId: row.messageId,
    date: row.createdAt,
    ...(thread ? { inReplyTo: thread, references: [thread] } : {}),
    headers: {
      'Auto-Submitted': 'auto-generated',
      'X-Relaydesk-Kind': row.kind,
      ...(row.canary ? { 'X-Relaydesk-Canary': `version ${config.version}` } : {}),
    },
  };
}
