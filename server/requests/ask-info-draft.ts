import 'server-only';
// "Ask for information", pre-filled: when the latest live check of a request failed with a diagnosis, the
// TAM's question can start from it, in the language of the customer who filed the request (issue 14).
import { db } from '../db';
import type { CurrentUser } from '../auth/current-user';
import { can } from '../authz/permissions';
import { requestsVisibleTo } from '../authz/scopes';
import { asLocale, DEFAULT_LOCALE, type Locale } from '../i18n/locales';
import type { ProbeStep } from '../smtp/types';

export type AskInfoDraft = { locale: Locale; step: ProbeStep['step']; hint: NonNullable<ProbeStep['hint']>; field: string | null };

export async function askInfoDraft(user: CurrentUser, requestId: string): Promise<AskInfoDraft | null> {
  if (!can(user.role, 'request.review')) return null;
  const request = await db.smtpRequest.findFirst({ where: { id: requestId, ...requestsVisibleTo(user) }, select: { createdBy: { select: { locale: true } } } });
  if (!request) return null;
  const latest = await db.probeRun.findFirst({ where: { requestId }, orderBy: { startedAt: 'desc' }, select: { ok: true, steps: true } });
  if (!latest || latest.ok) return null;
  const failed = (JSON.parse(latest.steps) as ProbeStep[]).find((s) => !s.ok);
  // A check stopped by the TAM says nothing about the customer's settings.
  if (!failed?.hint || failed.hint.code === 'CANCELLED') return null;
  return { locale: asLocale(request.createdBy.locale) ?? DEFAULT_LOCALE, step: failed.step, hint: failed.hint, field: failed.field ?? null };
}
