import Link from 'next/link';
import type { Metadata } from 'next';
import { getFormatter, getTranslations } from 'next-intl/server';
import { requirePageUser } from '@/server/auth/auth';
import { listAuditEvents } from '@/server/audit/list-events';
import { verifyChain } from '@/server/audit/verify-chain';
import { orNotFound } from '@/server/http/page-errors';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('audit'))('title') };
}

export default async function AuditPage({ searchParams }: { searchParams: Promise<{ before?: string }> }) {
  const user = await requirePageUser();
  const { before } = await searchParams;
  const page = await orNotFound(listAuditEvents(user, { before: before ? Number(before) || undefined : undefined }));
  const chain = await verifyChain();
  const t = await getTranslations('audit');
  const tc = await getTranslations('common');
  const format = await getFormatter();
  return (
    <>
      <h1>{t('title')}</h1>
      <p className="muted">{t('intro')}</p>
      <p className={`alert ${chain.ok ? 'success' : 'error'}`} role="status">
        {chain.ok ? t('verified', { checked: chain.checked }) : t('broken', { seq: chain.firstBrokenSeq ?? 0 })}
      </p>
      {page.items.length === 0 ? (
        <p className="empty-state">{t('empty')}</p>
      ) : (
        <div className="table-wrap">
          <table className="table">
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
                  <td className="mono">{e.seq}</td>
                  <td>
                    <time dateTime={e.at}>{format.dateTime(new Date(e.at), { dateStyle: 'medium', timeStyle: 'medium' })}</time>
                  </td>
                  <td>{e.actor}</td>
                  <td>{e.tenant ?? '—'}</td>
                  <td className="mono">{e.action}</td>
                  <td className="mono">
                    {e.targetType === 'smtp-request' && e.targetId ? <Link href={`/requests/${e.targetId}`}>{e.targetType}</Link> : e.targetType}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav className="pager" aria-label="pagination">
        {before && <Link href="/audit">« {tc('previous')}</Link>}
        {page.nextBefore && (
          <Link href={`/audit?before=${page.nextBefore}`} rel="next">
            {tc('next')} »
          </Link>
        )}
      </nav>
    </>
  );
}
