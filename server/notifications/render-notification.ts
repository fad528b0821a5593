import 'server-only';
// A notification in one language: the in-app line (title + body) and the mail (subject, text, HTML), from
// notifications.kinds.<kind> of the catalog. Params are what the event stored; lists (health problems) are
// named here in the reader's language.
import { createTranslator } from 'use-intl/core';
import { catalogKeyOf, type NotificationKind } from '@/lib/notification-kinds';
import { CATALOGS } from '../i18n/catalogs';
import type { Locale } from '../i18n/locales';

export type NoticeParams = Record<string, string | number | string[]>;
type Loose = ((key: string, values?: Record<string, string | number>) => string) & { has?: (key: string) => boolean };

function translators(locale: Locale) {
  const messages = CATALOGS[locale];
  return {
    t: createTranslator({ locale, messages, namespace: 'notifications' }) as unknown as Loose,
    health: createTranslator({ locale, messages, namespace: 'healthChecks' }) as unknown as Loose,
    probe: createTranslator({ locale, messages, namespace: 'probe' }) as unknown as Loose,
  };
}

/** Health problem keys as the Health page names them. */
function healthKind(key: string): string {
  if (key.startsWith('cert.')) return key === 'cert.expires_soon' ? 'certFail' : 'certWarn';
  if (key === 'smtp.auth') return 'auth';
  return key.startsWith('smtp.') ? 'smtp' : 'dns';
}

function values(params: NoticeParams, locale: Locale): Record<string, string | number> {
  const { health, probe } = translators(locale);
  const list = locale === 'zh-CN' ? '、' : ', ';
  const out: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(params)) {
    if (Array.isArray(v)) out[k] = k === 'problems' ? [...new Set(v.map((p) => health(`kinds.${healthKind(p)}`)))].join(list) : v.join(list);
    else if (k === 'step' && v) out[k] = probe.has?.(`steps.${v}`) === false ? String(v) : probe(`steps.${v}`);
    else out[k] = v;
  }
  return out;
}

/** title: "[SMTP-1004] …" for a request, "[tenant] …" for a tenant, as in the mail's subject. */
export function renderNotice(kind: NotificationKind, params: NoticeParams, locale: Locale): { title: string; body: string } {
  const { t } = translators(locale);
  const v = values(params, locale);
  const key = `kinds.${catalogKeyOf(kind)}`;
  const prefix = typeof params.ref === 'string' ? `[${params.ref}] ` : typeof params.tenant === 'string' ? `[${params.tenant}] ` : '';
  return { title: `${prefix}${t(`${key}.subject`, v)}`, body: t(`${key}.body`, v) };
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export type RenderedMail = { subject: string; text: string; html: string };

/** The mail: "[SMTP-1004] …" subjects, the body, the page's absolute link, and where to change preferences. */
export function renderMail(kind: NotificationKind, params: NoticeParams, locale: Locale, to: { name: string }, urls: { page: string; preferences: string }): RenderedMail {
  const { t } = translators(locale);
  const { title: subject, body } = renderNotice(kind, params, locale);
  const greeting = t('mail.greeting', { name: to.name });
  const open = t('mail.open');
  const footer = t('mail.footer');
  const preferences = t('mail.preferences');
  const text = [greeting, '', body, '', `${open}: ${urls.page}`, '', '-- ', footer, `${preferences}: ${urls.preferences}`, ''].join('\n');
  const paragraphs = body
    .split(/\n{2,}/)
    .map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`)
    .join('\n');
  const html = `<!doctype html>
<html lang="${locale}"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>
<body style="font-family: system-ui, sans-serif; line-height: 1.5; color: #1a1a1a; max-width: 40em;">
<p>${escapeHtml(greeting)}</p>
${paragraphs}
<p><a href="${escapeHtml(urls.page)}">${escapeHtml(open)}</a></p>
<hr>
<p style="font-size: 0.875em; color: #555;">${escapeHtml(footer)} <a href="${escapeHtml(urls.preferences)}">${escapeHtml(preferences)}</a></p>
</body></html>`;
  return { subject, text, html };
}
