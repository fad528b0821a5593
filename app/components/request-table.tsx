import Link from 'next/link';
import { getFormatter, getNow, getTranslations } from 'next-intl/server';
import { Time } from '@/app/components/time';
import type { RequestView } from '@/server/requests/request-view';
import type { RequestSort } from '@/server/requests/list-requests';
import { StatusBadge } from './status-badge';
import { isOpenStatus } from '@/lib/request-status';

type Props = {
  items: RequestView[];
  nextCursor: string | null;
  baseQuery: Record<string, string>;
  showTenant: boolean;
  empty: string;
  isFirstPage: boolean;
  /** The queue: a waiting-time column and headers that sort. */
  queue?: { sort: RequestSort };
};

/** How long since the request last changed, in its largest unit ("3 hours", "2 days"). */
function waitingFor(since: Date, now: Date): { value: number; unit: 'minute' | 'hour' | 'day' } {
  const minutes = Math.max(0, Math.floor((now.getTime() - since.getTime()) / 60_000));
  if (minutes < 60) return { value: minutes, unit: 'minute' };
  if (minutes < 48 * 60) return { value: Math.floor(minutes / 60), unit: 'hour' };
  return { value: Math.floor(minutes / 1440), unit: 'day' };
}

export async function RequestTable({ items, nextCursor, baseQuery, showTenant, empty, isFirstPage, queue }: Props) {
  const t = await getTranslations('requests');
  const tc = await getTranslations('common');
  const format = await getFormatter();
  const now = await getNow();
  if (items.length === 0) return <p className="empty-state">{empty}</p>;
  const nextHref = nextCursor ? `?${new URLSearchParams({ ...baseQuery, cursor: nextCursor }).toString()}` : null;
  const firstHref = `?${new URLSearchParams(baseQuery).toString()}`;
  const sortHeader = (label: string, up: RequestSort, down: RequestSort) => {
    if (!queue) return label;
    const active = queue.sort === up ? 'ascending' : queue.sort === down ? 'descending' : null;
    const next = queue.sort === up ? down : up;
    return (
      <Link href={`?${new URLSearchParams({ ...baseQuery, sort: next }).toString()}`} className="sort-link">
        {label} <span aria-hidden="true">{active === 'ascending' ? '▲' : active === 'descending' ? '▼' : '↕'}</span>
        <span className="visually-hidden">{active ? ` (${t(`sort.${active}`)})` : ` (${t('sort.sortable')})`}</span>
      </Link>
    );
  };
  const ariaSort = (up: RequestSort, down: RequestSort) => (queue?.sort === up ? 'ascending' : queue?.sort === down ? 'descending' : undefined);
  return (
    <>
      <div className="table-wrap">
        <table className="table cards">
          <thead>
            <tr>
              <th scope="col" aria-sort={ariaSort('number', 'number-desc')}>
                {sortHeader(t('columns.number'), 'number', 'number-desc')}
              </th>
              {showTenant && (
                <th scope="col" aria-sort={ariaSort('tenant', 'tenant-desc')}>
                  {sortHeader(t('columns.tenant'), 'tenant', 'tenant-desc')}
                </th>
              )}
              <th scope="col" aria-sort={ariaSort('status', 'status-desc')}>
                {sortHeader(t('columns.status'), 'status', 'status-desc')}
              </th>
              <th scope="col" aria-sort={ariaSort('server', 'server-desc')}>
                {sortHeader(t('columns.server'), 'server', 'server-desc')}
              </th>
              <th scope="col">{t('columns.assignee')}</th>
              {queue && (
                <th scope="col" aria-sort={ariaSort('newest', 'oldest')}>
                  {sortHeader(t('columns.waiting'), 'newest', 'oldest')}
                </th>
              )}
              <th scope="col">{t('columns.updated')}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((r) => {
              const waited = waitingFor(new Date(r.updatedAt), now);
              return (
                <tr key={r.id}>
                  <td data-label={t('columns.number')}>
                    <Link href={`/requests/${r.id}`} className="mono">
                      {r.number}
                    </Link>
                  </td>
                  {showTenant && <td data-label={t('columns.tenant')}>{r.tenantName}</td>}
                  <td data-label={t('columns.status')}>
                    <StatusBadge status={r.status} />
                  </td>
                  <td data-label={t('columns.server')} className="mono">
                    {r.host}:{r.port}
                  </td>
                  <td data-label={t('columns.assignee')}>{r.assignee?.name ?? <span className="muted">{t('unassigned')}</span>}</td>
                  {queue && (
                    <td data-label={t('columns.waiting')}>
                      {isOpenStatus(r.status) ? format.number(waited.value, { style: 'unit', unit: waited.unit, unitDisplay: 'long' }) : <span className="muted">—</span>}
                    </td>
                  )}
                  <td data-label={t('columns.updated')}>
                    <Time value={r.updatedAt} relative />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <nav className="pager" aria-label={tc('pagination')}>
        {!isFirstPage && <Link href={firstHref}>« {tc('firstPage')}</Link>}
        {nextHref && (
          <Link href={nextHref} rel="next">
            {tc('next')} »
          </Link>
        )}
      </nav>
    </>
  );
}
