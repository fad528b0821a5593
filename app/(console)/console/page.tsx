import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { getTranslations } from 'next-intl/server';
import { requirePageUser } from '@/server/auth/auth';
import { listRequests, REQUEST_SORTS, type RequestSort } from '@/server/requests/list-requests';
import { listVisibleTenants } from '@/server/tenants/list-visible-tenants';
import { orNotFound } from '@/server/http/page-errors';
import { REQUEST_STATUSES } from '@/lib/smtp-request-schema';
import { RequestTable } from '../../components/request-table';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('console'))('queueTitle') };
}

type Search = { status?: string; tenant?: string; cursor?: string; q?: string; mine?: string; waiting?: string; sort?: string };

export default async function ConsolePage({ searchParams }: { searchParams: Promise<Search> }) {
  const user = await requirePageUser();
  if (user.role !== 'tam' && user.role !== 'admin') notFound();
  const t = await getTranslations('console');
  const tr = await getTranslations('requests');
  const ts = await getTranslations('statuses');
  const tc = await getTranslations('common');
  const search = await searchParams;
  const validStatus = (REQUEST_STATUSES as readonly string[]).includes(search.status ?? '') ? (search.status as (typeof REQUEST_STATUSES)[number]) : undefined;
  const tenants = await listVisibleTenants(user);
  const validTenant = tenants.some((x) => x.slug === search.tenant) ? search.tenant : undefined;
  const sort: RequestSort = (REQUEST_SORTS as readonly string[]).includes(search.sort ?? '') ? (search.sort as RequestSort) : 'oldest';
  const q = search.q?.trim().slice(0, 200) || undefined;
  const mine = search.mine === '1' ? '1' : undefined;
  const waiting = search.waiting === '1' ? '1' : undefined;
  const page = await orNotFound(
    listRequests(user, { status: validStatus, open: validStatus || q ? undefined : '1', tenant: validTenant, cursor: search.cursor, order: sort, q, mine, waiting }),
  );
  const filters = { status: validStatus, tenant: validTenant, q, mine, waiting };
  const filtered = Object.values(filters).some(Boolean);
  const baseQuery = Object.fromEntries(Object.entries({ ...filters, sort: sort === 'oldest' ? undefined : sort }).filter(([, v]) => v)) as Record<string, string>;
  return (
    <>
      <div className="page-head">
        <h1>{t('queueTitle')}</h1>
      </div>
      <p className="muted">{t('queueIntro')}</p>
      <form method="get" action="/console" className="filters" role="search">
        <div className="field search-field">
          <label htmlFor="queue-q">{t('search.label')}</label>
          <input id="queue-q" type="search" name="q" defaultValue={q ?? ''} placeholder={t('search.placeholder')} aria-describedby="queue-q-hint" />
          <p id="queue-q-hint" className="hint">
            {t('search.hint')}
          </p>
        </div>
        <label>
          {tr('statusFilter')}{' '}
          <select name="status" defaultValue={validStatus ?? ''}>
            <option value="">{t('search.open')}</option>
            {REQUEST_STATUSES.map((s) => (
              <option key={s} value={s}>
                {ts(s)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {tr('tenantFilter')}{' '}
          <select name="tenant" defaultValue={validTenant ?? ''}>
            <option value="">{tc('all')}</option>
            {tenants.map((x) => (
              <option key={x.slug} value={x.slug}>
                {x.name}
              </option>
            ))}
          </select>
        </label>
        <label className="checkbox">
          <input type="checkbox" name="mine" value="1" defaultChecked={!!mine} /> {t('search.mine')}
        </label>
        <label className="checkbox">
          <input type="checkbox" name="waiting" value="1" defaultChecked={!!waiting} /> {t('search.waiting')}
        </label>
        {sort !== 'oldest' && <input type="hidden" name="sort" value={sort} />}
        <button type="submit" className="button primary">
          {tc('filter')}
        </button>
        {filtered && (
          <Link href="/console" className="button subtle">
            {tc('clear')}
          </Link>
        )}
      </form>
      <RequestTable
        items={page.items}
        nextCursor={page.nextCursor}
        baseQuery={baseQuery}
        showTenant
        isFirstPage={!search.cursor}
        empty={filtered ? tr('emptyFiltered') : t('emptyQueue')}
        queue={{ sort }}
      />
    </>
  );
}
