'use client';
// Invite people by email, and the open invitations with resend and revoke: on the admin page (any role,
// a tenant for customer roles) and on a customer admin's portal (their tenant, customer roles only).
import { useId, useState, useTransition } from 'react';
import { useTranslations } from 'next-intl';
import { InvitationSchema } from '@/lib/invitation-schema';
import { inviteAction, resendInvitationAction, revokeInvitationAction } from '@/app/invitations/actions';
import { ConfirmButton } from './confirm-button';
import { useFlash } from './flash';
import { Time } from './time';

export type InvitationRow = { id: string; email: string; name: string; role: string; tenant: string | null; invitedBy: string; expiresAt: string; state: 'pending' | 'expired' };

type Props = {
  invitations: InvitationRow[];
  roles: readonly string[];
  /** Admin: the tenants to choose from for customer roles. A customer admin: null (their own tenant). */
  tenants: { slug: string; name: string }[] | null;
  defaultLocale: 'en' | 'zh-CN';
  intro: string;
};

const LANGUAGES = [
  ['en', 'English'],
  ['zh-CN', '简体中文'],
] as const;

function FieldRow({ label, error, children, id }: { label: string; error?: string; children: React.ReactElement; id: string }) {
  return (
    <div className={`field${error ? ' invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children}
      {error && (
        <p id={`${id}-error`} className="field-error">
          {error}
        </p>
      )}
    </div>
  );
}

export function InvitationPanel({ invitations, roles, tenants, defaultLocale, intro }: Props) {
  const t = useTranslations('invitations');
  const tc = useTranslations('common');
  const tf = useTranslations('fields');
  const te = useTranslations('errors');
  const flash = useFlash();
  const id = useId();
  const [role, setRole] = useState('');
  // Without Relaydesk's own mail the link comes back to the inviter, who hands it over themselves.
  const [handOver, setHandOver] = useState<{ email: string; link: string } | null>(null);
  const [errorKeys, setErrorKeys] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [pending, start] = useTransition();
  const customerRole = role === 'customer-admin' || role === 'customer-member';
  const error = (name: string) => (errorKeys[name] ? tf(`errors.${errorKeys[name]}` as 'errors.required') : undefined);
  const aria = (name: string) => ({
    id: `${id}-${name}`,
    name,
    'aria-invalid': errorKeys[name] ? true : undefined,
    'aria-describedby': errorKeys[name] ? `${id}-${name}-error` : undefined,
  });
  const roleName = (r: string) => tc(`roles.${r}` as 'roles.admin');
  return (
    <section className="card" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>{t('title')}</h2>
      <p className="muted">{intro}</p>
      <form
        className="form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          const form = e.currentTarget;
          const input = Object.fromEntries(new FormData(form).entries()) as Record<string, string>;
          const local = InvitationSchema.safeParse(tenants ? { ...input, tenant: input.tenant || undefined } : { ...input, tenant: undefined });
          // A customer admin's tenant is implied: only the other fields are checked here.
          const issues = local.success ? [] : local.error.issues.filter((i) => tenants || i.path[0] !== 'tenant');
          if (issues.length > 0) {
            setErrorKeys(Object.fromEntries(issues.map((i) => [String(i.path[0]), i.message])));
            setFailure(te('VALIDATION_FAILED'));
            return;
          }
          start(async () => {
            const r = await inviteAction(input);
            if (r.ok) {
              form.reset();
              setRole('');
              setErrorKeys({});
              setFailure(null);
              setHandOver(r.data.link ? { email: r.data.email, link: r.data.link } : null);
              flash(r.data.link ? t('created', { email: r.data.email }) : t('sent', { email: r.data.email }));
            } else {
              setErrorKeys(r.errors);
              setFailure(te((Object.keys(r.errors).length ? 'VALIDATION_FAILED' : r.code) as 'INTERNAL'));
            }
          });
        }}
      >
        <h3>{t('inviteHeading')}</h3>
        {handOver && (
          <div className="alert info" role="status" data-testid="invitation-link">
            <p>{t('handOver', { email: handOver.email })}</p>
            <input type="text" readOnly value={handOver.link} aria-label={t('linkLabel', { email: handOver.email })} onFocus={(e) => e.currentTarget.select()} className="mono" />
          </div>
        )}
        {failure && (
          <p role="alert" className="alert error">
            {failure}
          </p>
        )}
        <div className="grid-2">
          <FieldRow label={t('email')} error={error('email')} id={`${id}-email`}>
            <input type="email" autoComplete="off" {...aria('email')} />
          </FieldRow>
          <FieldRow label={t('name')} error={error('name')} id={`${id}-name`}>
            <input type="text" autoComplete="off" {...aria('name')} />
          </FieldRow>
          <FieldRow label={t('role')} error={error('role')} id={`${id}-role`}>
            <select {...aria('role')} value={role} onChange={(e) => setRole(e.target.value)}>
              <option value="" disabled>
                {t('chooseRole')}
              </option>
              {roles.map((r) => (
                <option key={r} value={r}>
                  {roleName(r)}
                </option>
              ))}
            </select>
          </FieldRow>
          {tenants && customerRole && (
            <FieldRow label={t('tenant')} error={error('tenant')} id={`${id}-tenant`}>
              <select {...aria('tenant')} defaultValue="">
                <option value="" disabled>
                  —
                </option>
                {tenants.map((x) => (
                  <option key={x.slug} value={x.slug}>
                    {x.name}
                  </option>
                ))}
              </select>
            </FieldRow>
          )}
          <FieldRow label={t('language')} error={error('locale')} id={`${id}-locale`}>
            <select {...aria('locale')} defaultValue={defaultLocale}>
              {LANGUAGES.map(([value, label]) => (
                <option key={value} value={value} lang={value}>
                  {label}
                </option>
              ))}
            </select>
          </FieldRow>
        </div>
        <button className="button primary" disabled={pending}>
          {t('send')}
        </button>
      </form>
      <h3>{t('pendingHeading')}</h3>
      {invitations.length === 0 ? (
        <p className="empty-state">{t('none')}</p>
      ) : (
        <div className="table-wrap">
          <table className="table cards" data-testid="pending-invitations">
            <thead>
              <tr>
                <th scope="col">{t('email')}</th>
                <th scope="col">{t('role')}</th>
                <th scope="col">{t('status')}</th>
                <th scope="col">{t('expires')}</th>
                <th scope="col">{t('invitedBy')}</th>
                <th scope="col">{t('actions')}</th>
              </tr>
            </thead>
            <tbody>
              {invitations.map((x) => (
                <tr key={x.id}>
                  <td data-label={t('email')}>
                    {x.email}
                    <br />
                    <span className="muted">{x.name}</span>
                  </td>
                  <td data-label={t('role')}>
                    {roleName(x.role)}
                    {tenants && x.tenant ? ` · ${x.tenant}` : ''}
                  </td>
                  <td data-label={t('status')}>
                    <span className={`badge ${x.state === 'expired' ? 'status-withdrawn' : 'status-submitted'}`}>{t(x.state)}</span>
                  </td>
                  <td data-label={t('expires')}>
                    <Time value={x.expiresAt} relative />
                  </td>
                  <td data-label={t('invitedBy')}>{x.invitedBy}</td>
                  <td data-label={t('actions')}>
                    <ConfirmButton
                      label={t('resend')}
                      ariaLabel={t('resendLabel', { email: x.email })}
                      className="button subtle"
                      question={t('resendConfirm', { email: x.email })}
                      confirmLabel={t('resend')}
                      onConfirm={() => resendInvitationAction({ id: x.id })}
                      done={(d) => (setHandOver(d.link ? { email: d.email, link: d.link } : null), d.link ? t('created', { email: x.email }) : t('resent', { email: x.email }))}
                    />{' '}
                    <ConfirmButton
                      label={t('revoke')}
                      ariaLabel={t('revokeLabel', { email: x.email })}
                      className="button subtle danger"
                      question={t('revokeConfirm', { email: x.email })}
                      confirmLabel={t('revoke')}
                      onConfirm={() => revokeInvitationAction({ id: x.id })}
                      done={() => t('revoked', { email: x.email })}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
