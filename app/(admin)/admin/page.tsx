import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import Link from 'next/link';
import { getFormatter, getLocale, getTranslations } from 'next-intl/server';
import { requirePageUser } from '@/server/auth/auth';
import { can } from '@/server/authz/permissions';
import { adminOverview } from '@/server/admin/manage-tenants';
import { recentSignInAlerts } from '@/server/auth/sign-in-alerts';
import { ownMailOverview } from '@/server/own-mail/own-mail-overview';
import { CUSTOMER_ROLES, ROLES, STAFF_ROLES, isCustomerRole } from '@/server/auth/roles';
import { listInvitations } from '@/server/invitations/manage-invitations';
import { asLocale } from '@/server/i18n/locales';
import { InvitationPanel } from '@/app/components/invitation-panel';
import { invitationRows } from '@/app/components/invitation-rows';
import { AccessButton, AdminForms, ResetPasswordButton, RoleSelect, UnassignButton } from './admin-forms';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('admin'))('title') };
}

export default async function AdminPage({ searchParams }: { searchParams: Promise<{ q?: string; after?: string }> }) {
  const user = await requirePageUser();
  if (!can(user.role, 'admin.manage')) notFound();
  const { q, after } = await searchParams;
  const [{ tenants, users, tams, nextAfter }, alerts, ownMail, invitations] = await Promise.all([
    adminOverview(user, { q, after }),
    recentSignInAlerts(user),
    ownMailOverview(),
    listInvitations(user),
  ]);
  const tm = await getTranslations('notifications.adminMail');
  const t = await getTranslations('admin');
  const ti = await getTranslations('invitations');
  const inviterLocale = asLocale(user.locale) ?? asLocale(await getLocale()) ?? 'en';
  const format = await getFormatter();
  const tc = await getTranslations('common');
  return (
    <>
      <h1>{t('title')}</h1>
      {alerts.length > 0 && (
        <section className="card" aria-labelledby="sign-in-alerts-h">
          <h2 id="sign-in-alerts-h">{t('signInAlerts')}</h2>
          <p className="muted">{t('signInAlertsIntro')}</p>
          <ul>
            {alerts.map((a) => (
              <li key={a.seq}>
                {t('signInAlert', { email: a.email, failures: a.failures, addresses: a.addresses, when: format.dateTime(a.at, { dateStyle: 'medium', timeStyle: 'short' }) })}
              </li>
            ))}
          </ul>
        </section>
      )}
      <section className="card" aria-labelledby="own-mail-h" id="own-mail">
        <h2 id="own-mail-h">{tm('title')}</h2>
        {ownMail.status.configured ? (
          <>
            <p>{tm('configured', { host: ownMail.status.host, port: ownMail.status.port, tls: tm(`tls.${ownMail.status.tls}`), from: ownMail.status.from })}</p>
            {ownMail.status.source === 'demo-sandbox' && <p className="muted">{tm('demoSandbox')}</p>}
          </>
        ) : (
          <p className="alert">{tm('notConfigured')}</p>
        )}
        <p className="muted">{tm('queue', { queued: ownMail.queued, dead: ownMail.dead })}</p>
      </section>
      <section className="card" aria-labelledby="tenants-h">
        <h2 id="tenants-h">{t('tenants')}</h2>
        <div className="table-wrap">
          <table className="table cards">
            <thead>
              <tr>
                <th scope="col">{t('slug')}</th>
                <th scope="col">{t('name')}</th>
                <th scope="col">{t('members')}</th>
                <th scope="col">{t('requests')}</th>
                <th scope="col">{t('tams')}</th>
              </tr>
            </thead>
            <tbody>
              {tenants.map((x) => (
                <tr key={x.id}>
                  <td data-label={t('slug')} className="mono">
                    <Link href={`/tenants/${x.slug}`}>{x.slug}</Link>
                  </td>
                  <td data-label={t('name')}>
                    <Link href={`/tenants/${x.slug}`}>{x.name}</Link>
                  </td>
                  <td data-label={t('members')}>{x._count.users}</td>
                  <td data-label={t('requests')}>{x._count.requests}</td>
                  <td data-label={t('tams')}>
                    {x.tamAssignments.length === 0 && <span className="muted">{t('noTams')}</span>}
                    {x.tamAssignments.map((a) => (
                      <span key={a.tamId} className="chip">
                        {a.tam.name}{' '}
                        <UnassignButton tamId={a.tamId} tenantId={x.id} tam={a.tam.name} tenant={x.name} label={t('unassignLabel', { tam: a.tam.name, tenant: x.name })} />
                      </span>
                    ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <section className="card" aria-labelledby="users-h">
        <h2 id="users-h">{t('users')}</h2>
        <form method="get" action="/admin" className="filters" role="search">
          <label>
            {t('userSearch')} <input type="search" name="q" defaultValue={q ?? ''} />
          </label>
          <button type="submit" className="button">
            {tc('filter')}
          </button>
          {q && (
            <Link href="/admin" className="button subtle">
              {tc('clear')}
            </Link>
          )}
        </form>
        {users.length === 0 && <p className="empty-state">{t('noUsers')}</p>}
        <div className="table-wrap">
          <table className="table cards">
            <thead>
              <tr>
                <th scope="col">{t('email')}</th>
                <th scope="col">{t('name')}</th>
                <th scope="col">{t('role')}</th>
                <th scope="col">{t('tenant')}</th>
                <th scope="col">{t('access')}</th>
              </tr>
            </thead>
            <tbody>
              {users.map((u) => (
                <tr key={u.id}>
                  <td data-label={t('email')}>
                    {u.email} {u.disabledAt && <span className="badge status-withdrawn">{t('disabled')}</span>}
                  </td>
                  <td data-label={t('name')}>{u.name}</td>
                  <td data-label={t('role')}>
                    {u.id === user.id ? (
                      tc(`roles.${u.role}` as 'roles.admin')
                    ) : (
                      <RoleSelect userId={u.id} email={u.email} role={u.role} roles={isCustomerRole(u.role) ? CUSTOMER_ROLES : STAFF_ROLES} />
                    )}
                  </td>
                  <td data-label={t('tenant')}>{u.tenant ? <Link href={`/tenants/${u.tenant.slug}`}>{u.tenant.slug}</Link> : '—'}</td>
                  <td data-label={t('access')}>
                    {u.id === user.id ? (
                      '—'
                    ) : (
                      <>
                        <AccessButton userId={u.id} email={u.email} disabled={u.disabledAt !== null} /> <ResetPasswordButton userId={u.id} email={u.email} />
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <nav className="pager" aria-label={tc('pagination')}>
          {after && <Link href={`/admin${q ? `?${new URLSearchParams({ q })}` : ''}`}>« {tc('firstPage')}</Link>}
          {nextAfter && (
            <Link href={`/admin?${new URLSearchParams({ ...(q ? { q } : {}), after: nextAfter })}`} rel="next">
              {tc('next')} »
            </Link>
          )}
        </nav>
      </section>
      <InvitationPanel
        invitations={invitationRows(invitations)}
        roles={ROLES}
        tenants={tenants.map((x) => ({ slug: x.slug, name: x.name }))}
        defaultLocale={inviterLocale}
        intro={ti('intro')}
      />
      <AdminForms tenants={tenants.map((x) => ({ slug: x.slug, name: x.name }))} tams={tams.map((u) => ({ email: u.email, name: u.name }))} />
    </>
  );
}
