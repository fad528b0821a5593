import Link from 'next/link';
import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';
import { Time } from '@/app/components/time';
import { requirePageUser } from '@/server/auth/auth';
import { listAuditEvents, distinctActions, knownActors, type AuditEventView } from '@/server/audit/list-events';
import { listVisibleTenants } from '@/server/tenants/list-visible-tenants';
import { orNotFound } from '@/server/http/page-errors';
import { VerifyButton } from './verify-button';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('audit'))('title') };
}

type Search = { tenant?: string; actor?: string; action?: string; target?: string; from?: string; to?: string; cursor?: string };
const FILTER_KEYS = ['tenant', 'actor', 'action', 'target', 'from', 'to'] as const;

export default async function AuditPage({ searchParams }: { searchParams: Promise<Search> }) {
  const user = await requirePageUser();
  const search = await searchParams;
  const filter = Object.fromEntries(FILTER_KEYS.filter((k) => search[k]).map((k) => [k, search[k]!])) as Record<string, string>;
  const page = await orNotFound(listAuditEvents(user, { ...filter, cursor: search.cursor }));
  const [tenants, actions, actors] = await Promise.all([listVisibleTenants(user), distinctActions(), knownActors()]);
  const t = await getTranslations('audit');
  const tc = await getTranslations('common');
  const ta = await getTranslations('auditActions');
  // Events recorded before an action had a label show their code.
  const actionLabel = (action: string) => (ta.has(action) ? ta(action) : action);
  const ts = await getTranslations('statuses');
  const statusName = (s: unknown) => (typeof s === 'string' && ts.has(s) ? ts(s) : String(s));
  // A status change reads "In review → Validated" in the row itself.
  const statusChange = (e: AuditEventView) =>
    e.before && e.after && typeof e.after.status === 'string' && e.before.status !== e.after.status ? `${statusName(e.before.status)} → ${statusName(e.after.status)}` : null;
  const query = new URLSearchParams(filter).toString();
  const tenantName = new Map(tenants.map((x) => [x.slug, x.name]));
  const filtered = Object.keys(filter).length > 0;
  return (
    <>
      <div className="page-head">
        <h1>{t('title')}</h1>
        <div className="button-row">
          <a className="button" href={`/api/v1/audit-events/export?format=csv${query ? `&${query}` : ''}`} download>
            {t('exportCsv')}
          </a>
          <a className="button" href={`/api/v1/audit-events/export?format=jsonl${query ? `&${query}` : ''}`} download>
            {t('exportJsonl')}
          </a>
        </div>
      </div>
      <p className="muted">{t('intro')}</p>
      <VerifyButton />
      <form method="get" action="/audit" className="filters audit-filters">
        <label>
          {t('filters.tenant')}{' '}
          <select name="tenant" defaultValue={filter.tenant ?? ''}>
            <option value="">{tc('all')}</option>
            {tenants.map((x) => (
              <option key={x.slug} value={x.slug}>
                {x.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('filters.actor')} <input name="actor" list="audit-actors" defaultValue={filter.actor ?? ''} />
          <datalist id="audit-actors">
            {actors.map((a) => (
              <option key={a} value={a} />
            ))}
          </datalist>
        </label>
        <label>
          {t('filters.action')}{' '}
          <select name="action" defaultValue={filter.action ?? ''}>
            <option value="">{tc('all')}</option>
            {actions.map((a) => (
              <option key={a} value={a}>
                {actionLabel(a)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('filters.from')} <input type="datetime-local" name="from" defaultValue={filter.from ?? ''} />
        </label>
        <label>
          {t('filters.to')} <input type="datetime-local" name="to" defaultValue={filter.to ?? ''} />
        </label>
        {filter.target && <input type="hidden" name="target" value={filter.target} />}
        <button type="submit" className="button primary">
          {t('filters.apply')}
        </button>
        {filtered && (
          <Link href="/audit" className="button subtle">
            {t('filters.clear')}
          </Link>
        )}
      </form>
      {page.items.length === 0 ? (
        <p className="empty-state">{filtered ? t('emptyFiltered') : t('empty')}</p>
      ) : (
        <div className="table-wrap">
          <table className="table cards">
            <thead>
              <tr>
                <th scope="col">{t('columns.seq')}</th>
                <th scope="col">{t('columns.at')}</th>
                <th scope="col">{t('columns.actor')}</th>
                <th scope="col">{t('columns.tenant')}</th>
                <th scope="col">{t('columns.action')}</th>
                <th scope="col">{t('columns.target')}</th>
              </tr>
            </thead>
            <tbody>
              {page.items.map((e) => (
                <tr key={e.seq}>
                  <td data-label={t('columns.seq')} className="mono">
                    <Link href={`/audit/events/${e.seq}`}>{e.seq}</Link>
                  </td>
                  <td data-label={t('columns.at')}>
                    <Time value={e.at} seconds />
                  </td>
                  <td data-label={t('columns.actor')}>{e.actor}</td>
                  <td data-label={t('columns.tenant')}>{e.tenant ? <Link href={`/audit/tenants/${e.tenant}`}>{tenantName.get(e.tenant) ?? e.tenant}</Link> : '—'}</td>
                  <td data-label={t('columns.action')}>
                    <Link href={`/audit/events/${e.seq}`} title={e.action}>
                      {actionLabel(e.action)}
                    </Link>
                    {statusChange(e) && <span className="status-change"> {statusChange(e)}</span>}
                  </td>
                  <td data-label={t('columns.target')}>
                    {e.targetId ? (
                      <Link href={`/audit?target=${encodeURIComponent(e.targetId)}`} title={`${e.targetType} ${e.targetId}`}>
                        {e.targetLabel ?? e.targetType}
                      </Link>
                    ) : (
                      e.targetType
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav className="pager" aria-label={tc('pagination')}>
        {page.prevCursor !== null && (
          <Link href={`/audit?${new URLSearchParams({ ...filter, ...(page.prevCursor ? { cursor: page.prevCursor } : {}) }).toString()}`} rel="prev">
            « {tc('previous')}
          </Link>
        )}
        {page.nextCursor && (
          <Link href={`/audit?${new URLSearchParams({ ...filter, cursor: page.nextCursor }).toString()}`} rel="next">
            {tc('next')} »
          </Link>
        )}
      </nav>
    </>
  );
}
