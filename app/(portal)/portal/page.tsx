import Link from 'next/link';
import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';
import { requirePageUser } from '@/server/auth/auth';
import { listRequests } from '@/server/requests/list-requests';
import { can } from '@/server/authz/permissions';
import { orNotFound } from '@/server/http/page-errors';
import { REQUEST_STATUSES } from '@/lib/smtp-request-schema';
import { RequestTable } from '../../components/request-table';
import { StatusFilter } from '../../components/status-filter';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('requests'))('listTitle') };
}

type Search = { status?: string; cursor?: string };

export default async function PortalPage({ searchParams }: { searchParams: Promise<Search> }) {
  const user = await requirePageUser();
  const t = await getTranslations('requests');
  const { status, cursor } = await searchParams;
  const validStatus = (REQUEST_STATUSES as readonly string[]).includes(status ?? '') ? (status as (typeof REQUEST_STATUSES)[number]) : undefined;
  const page = await orNotFound(listRequests(user, { status: validStatus, cursor, order: 'newest' }));
  const canCreate = can(user.role, 'request.create');
  return (
    <>
      <div className="page-head">
        <h1>{t('listTitle')}</h1>
        {canCreate && (
          <Link href="/portal/requests/new" className="button primary">
            {t('newRequest')}
          </Link>
        )}
      </div>
      <StatusFilter current={validStatus ?? ''} action="/portal" />
      <RequestTable
        items={page.items}
        nextCursor={page.nextCursor}
        baseQuery={validStatus ? { status: validStatus } : {}}
        showTenant={false}
        isFirstPage={!cursor}
        empty={validStatus ? t('emptyFiltered') : canCreate ? t('emptyCustomerAdmin') : t('empty')}
      />
    </>
  );
}
