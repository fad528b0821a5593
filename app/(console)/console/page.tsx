import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { getTranslations } from 'next-intl/server';
import { requirePageUser } from '@/server/auth/auth';
import { listRequests } from '@/server/requests/list-requests';
import { listVisibleTenants } from '@/server/tenants/list-visible-tenants';
import { orNotFound } from '@/server/http/page-errors';
import { REQUEST_STATUSES } from '@/lib/smtp-request-schema';
import { RequestTable } from '../../components/request-table';
import { StatusFilter } from '../../components/status-filter';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('console'))('queueTitle') };
}

type Search = { status?: string; tenant?: string; cursor?: string };

export default async function ConsolePage({ searchParams }: { searchParams: Promise<Search> }) {
  const user = await requirePageUser();
  if (user.role !== 'tam' && user.role !== 'admin') notFound();
  const t = await getTranslations('console');
  const tr = await getTranslations('requests');
  const { status, tenant, cursor } = await searchParams;
  const validStatus = (REQUEST_STATUSES as readonly string[]).includes(status ?? '') ? (status as (typeof REQUEST_STATUSES)[number]) : undefined;
  const tenants = await listVisibleTenants(user);
  const validTenant = tenants.some((x) => x.slug === tenant) ? tenant : undefined;
  const page = await orNotFound(listRequests(user, { status: validStatus, open: validStatus ? undefined : '1', tenant: validTenant, cursor, order: 'oldest' }));
  const baseQuery = Object.fromEntries(Object.entries({ status: validStatus, tenant: validTenant }).filter(([, v]) => v)) as Record<string, string>;
  return (
    <>
      <div className="page-head">
        <h1>{t('queueTitle')}</h1>
      </div>
      <p className="muted">{t('queueIntro')}</p>
      <StatusFilter current={validStatus ?? ''} action="/console" tenants={tenants} currentTenant={validTenant} />
      <RequestTable items={page.items} nextCursor={page.nextCursor} baseQuery={baseQuery} showTenant isFirstPage={!cursor} empty={validStatus || validTenant ? tr('emptyFiltered') : t('emptyQueue')} />
    </>
  );
}
