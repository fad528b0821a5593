import Link from 'next/link';
import { getTranslations } from 'next-intl/server';
import { Time } from '@/app/components/time';
import type { RequestView } from '@/server/requests/request-view';
import { StatusBadge } from './status-badge';

type Props = {
  items: RequestView[];
  nextCursor: string | null;
  baseQuery: Record<string, string>;
  showTenant: boolean;
  empty: string;
  isFirstPage: boolean;
};

export async function RequestTable({ items, nextCursor, baseQuery, showTenant, empty, isFirstPage }: Props) {
  const t = await getTranslations('requests');
  const tc = await getTranslations('common');
  if (items.length === 0) return <p className="empty-state">{empty}</p>;
  const nextHref = nextCursor ? `?${new URLSearchParams({ ...baseQuery, cursor: nextCursor }).toString()}` : null;
  const firstHref = `?${new URLSearchParams(baseQuery).toString()}`;
  return (
    <>
      <div className="table-wrap">
        <table className="table">
          <thead>
            <tr>
              <th scope="col">{t('columns.number')}</th>
              {showTenant && <th scope="col">{t('columns.tenant')}</th>}
              <th scope="col">{t('columns.status')}</th>
              <th scope="col">{t('columns.server')}</th>
              <th scope="col">{t('columns.assignee')}</th>
              <th scope="col">{t('columns.updated')}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((r) => (
              <tr key={r.id}>
                <td>
                  <Link href={`/requests/${r.id}`} className="mono">
                    {r.number}
                  </Link>
                </td>
                {showTenant && <td>{r.tenantName}</td>}
                <td>
                  <StatusBadge status={r.status} />
                </td>
                <td className="mono">
                  {r.host}:{r.port}
                </td>
                <td>{r.assignee?.name ?? <span className="muted">{t('unassigned')}</span>}</td>
                <td>
                  <Time value={r.updatedAt} relative />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <nav className="pager" aria-label={tc('pagination')}>
        {!isFirstPage && <Link href={firstHref}>« {tc('previous')}</Link>}
        {nextHref && (
          <Link href={nextHref} rel="next">
            {tc('next')} »
          </Link>
        )}
      </nav>
    </>
  );
}
