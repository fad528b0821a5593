import 'server-only';
// The invitation mail in the invitee's language: plain text and HTML, both with the one-time link.
import { CATALOGS } from '../i18n/catalogs';
import type { OwnMail } from '../own-mail/enqueue-own-mail';

type Locale = OwnMail['locale'];
export type InvitationMailFacts = { to: string; name: string; inviter: string; role: string; tenant: string | null; link: string; expiresAt: Date; locale: Locale };

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const fill = (template: string, values: Record<string, string>) => template.replace(/\{(\w+)\}/g, (_, k: string) => values[k] ?? `{${k}}`);

export function composeInvitationMail(facts: InvitationMailFacts): OwnMail {
  const catalog = CATALOGS[facts.locale];
  const m = catalog.invitationMail;
  const role = (catalog.common.roles as Record<string, string>)[facts.role] ?? facts.role;
  const expires = `${new Intl.DateTimeFormat(facts.locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(facts.expiresAt)} UTC`;
  const values = { name: facts.name, inviter: facts.inviter, role, tenant: facts.tenant ?? '', expires, link: facts.link };
  const lines = [
    fill(m.greeting, values),
    fill(facts.tenant ? m.invitedToTenant : m.invitedAsStaff, values),
    fill(m.action, values),
    fill(m.expiry, values),
    fill(m.ignore, values),
  ];
  const text = [lines[0], '', lines[1], '', lines[2], facts.link, '', lines[3], lines[4], ''].join('\n');
  const esc = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, escapeHtml(v)]));
  const html = [
    `<p>${fill(escapeHtml(m.greeting), esc)}</p>`,
    `<p>${fill(escapeHtml(facts.tenant ? m.invitedToTenant : m.invitedAsStaff), esc)}</p>`,
    `<p><a href="${escapeHtml(facts.link)}">${escapeHtml(m.button)}</a></p>`,
    `<p style="font-size:12px;color:#555">${fill(escapeHtml(m.linkFallback), esc)}<br><span style="word-break:break-all">${escapeHtml(facts.link)}</span></p>`,
    `<p style="font-size:12px;color:#555">${fill(escapeHtml(m.expiry), esc)} ${fill(escapeHtml(m.ignore), esc)}</p>`,
  ].join('\n');
  return {
    to: facts.to,
    userId: null,
    locale: facts.locale,
    kind: 'invitation',
    subject: fill(m.subject, values),
    text,
    html,
    threadKey: `invitation:${facts.to}`,
    sensitive: true,
  };
}
