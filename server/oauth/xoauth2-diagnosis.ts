import 'server-only';
import { verdict, type Verdict } from '../smtp/diagnose';
import type { SmtpReply } from '../smtp/probe-errors';
import type { SmtpConfig } from '../smtp/types';

// What the SMTP server's refusal of AUTH XOAUTH2 means. Exchange Online answers 535 5.7.3 when the token
// is valid but the application may not send as the mailbox (SMTP.SendAsApp not consented, no service
// principal in Exchange, no mailbox permission: checked in that order) and 5.7.139 when SMTP AUTH is
// off for the mailbox or tenant. The mailbox is the username, which transcripts redact: texts say "the username". Anything else: the token itself was refused (mailbox, scope, expiry).

export function diagnoseXOAuth2Reply(reply: SmtpReply, config: SmtpConfig): Verdict | null {
  if (reply.code < 500) return null;
  const params = { reply: reply.raw.split('\n')[0] ?? '', port: config.port };
  if (/\b5\.7\.139\b/.test(reply.raw)) return verdict('M365_OAUTH_SMTP_DISABLED', null, params);
  if (/\b5\.7\.3\b/.test(reply.raw)) return verdict('M365_OAUTH_SEND_DENIED', null, params);
  if (reply.code === 535 || reply.code === 534) return verdict('OAUTH_TOKEN_REJECTED', 'username', params);
  return null;
}

/** 550 5.7.30: Microsoft 365 turned Basic authentication off for client submission in this tenant. */
export function diagnoseBasicAuthOff(reply: SmtpReply, config: SmtpConfig): Verdict | null {
  if (config.authMethod === 'oauth2' || !/\b5\.7\.30\b/.test(reply.raw)) return null;
  return verdict('M365_BASIC_AUTH_OFF', 'authMethod', { reply: reply.raw.split('\n')[0] ?? '', port: config.port });
}
