import Link from 'next/link';
import type { Metadata } from 'next';
import { getLocale, getTranslations } from 'next-intl/server';
import { requirePageUser } from '@/server/auth/auth';
import { listRequests } from '@/server/requests/list-requests';
import { can } from '@/server/authz/permissions';
import { orNotFound } from '@/server/http/page-errors';
import { REQUEST_STATUSES } from '@/lib/smtp-request-schema';
import { RequestTable } from '../../components/request-table';
import { StatusFilter } from '../../components/status-filter';
import { MemberNote } from '../../components/member-note';
import { Time } from '../../components/time';
import { listVisibleTenants } from '@/server/tenants/list-visible-tenants';
import { getSmtpConfig } from '@/server/config-versions/list-config-versions';
import { listTenantAdmins } from '@/server/tenants/tenant-admins';
import { listInvitations } from '@/server/invitations/manage-invitations';
import { asLocale } from '@/server/i18n/locales';
import { CUSTOMER_ROLES } from '@/server/auth/roles';
import { InvitationPanel } from '../../components/invitation-panel';
import { invitationRows } from '../../components/invitation-rows';

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
  const tenant = user.tenantId ? (await listVisibleTenants(user))[0] : undefined;
  const live = tenant ? (await getSmtpConfig(user, tenant.slug).catch(() => null))?.active : null;
  const admins = user.role === 'customer-member' ? await listTenantAdmins(user) : null;
  const tl = await getTranslations('customer.live');
  const invitations = tenant && can(user.role, 'invitation.manage') ? await listInvitations(user) : null;
  const ti = await getTranslations('invitations');
  const inviterLocale = asLocale(user.locale) ?? asLocale(await getLocale()) ?? 'en';
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
      {admins && <MemberNote admins={admins} />}
      {tenant && (
        <section className="card live-config" aria-labelledby="live-h" data-testid="live-config">
          <h2 id="live-h">{tl('title')}</h2>
          {live ? (
            <p>
              {tl('version', { version: live.version })} ·{' '}
              <span className="mono">
                {live.host}:{live.port}
              </span>{' '}
              ·{' '}
              {live.requestId && live.requestNumber ? (
                <>
                  {tl('from')} <Link href={`/requests/${live.requestId}`}>{live.requestNumber}</Link>
                </>
              ) : (
                tl('noRequest')
              )}
              {live.source !== 'apply' && <> · {tl(live.source === 'auto-rollback' ? 'autoRolledBack' : 'rolledBack', { from: live.copiedFrom ?? '?' })}</>} ·{' '}
              <Time value={live.appliedAt} relative /> · <Link href={`/tenants/${tenant.slug}`}>{tl('details')}</Link>
            </p>
          ) : (
            <p className="muted">{tl('none')}</p>
          )}
        </section>
      )}
      <StatusFilter current={validStatus ?? ''} action="/portal" />
      <RequestTable
        items={page.items}
        nextCursor={page.nextCursor}
        baseQuery={validStatus ? { status: validStatus } : {}}
        showTenant={false}
        isFirstPage={!cursor}
        empty={validStatus ? t('emptyFiltered') : canCreate ? t('emptyCustomerAdmin') : t('empty')}
      />
      {tenant && invitations && (
        <InvitationPanel
          invitations={invitationRows(invitations)}
          roles={CUSTOMER_ROLES}
          tenants={null}
          defaultLocale={inviterLocale}
          intro={ti('introTenant', { tenant: tenant.name })}
        />
      )}
    </>
  );
}
