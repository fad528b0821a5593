// Helpers of the own-mail tests: a real SMTP server (STARTTLS with the test CA's localhost certificate,
// AUTH required) configured as RELAYDESK_SMTP_URL, and the mails it received, parsed.
import { parseHeaders, textBody } from '@/server/sandbox/parse-message';
import { startSink, type Sink } from '../pipeline/helpers';

export const OWN_USER = 'relaydesk-mailer@ops.test';
export const OWN_PASSWORD = 'Own-Ma1l-S3cret-Passw0rd';
export const OWN_FROM = 'Relaydesk <relaydesk@relaydesk.test>';
export const PUBLIC_URL = 'https://relaydesk.example.test';

/** The server Relaydesk's own mail goes to; the environment points at it. */
export async function startOwnMailServer(): Promise<Sink> {
  const sink = await startSink({}, { credentials: { username: OWN_USER, password: OWN_PASSWORD } });
  process.env.RELAYDESK_SMTP_URL = `smtp://${encodeURIComponent(OWN_USER)}:${encodeURIComponent(OWN_PASSWORD)}@localhost:${sink.port}`;
  process.env.RELAYDESK_MAIL_FROM = OWN_FROM;
  process.env.RELAYDESK_PUBLIC_URL = PUBLIC_URL;
  return sink;
}

export type ParsedMail = {
  to: string;
  kind: string;
  subject: string;
  messageId: string;
  inReplyTo: string;
  references: string;
  header: (name: string) => string;
  text: string;
  raw: string;
};

export function parseMail(m: { rcptTo: string[]; raw: string }): ParsedMail {
  const headers = parseHeaders(m.raw);
  const header = (name: string) => (headers.find((h) => h.name.toLowerCase() === name.toLowerCase())?.value ?? '').replace(/\s+/g, ' ').trim();
  return {
    to: m.rcptTo.join(','),
    kind: header('X-Relaydesk-Notification'),
    subject: header('Subject'),
    messageId: header('Message-ID'),
    inReplyTo: header('In-Reply-To'),
    references: header('References'),
    header,
    text: textBody(m.raw) ?? '',
    raw: m.raw,
  };
}

export const mailsOf = (sink: Sink) => sink.received.map(parseMail);
