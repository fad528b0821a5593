'use client';
import { useId, useState, useTransition } from 'react';
import { useTranslations } from 'next-intl';
import type { ActionResult } from '@/server/http/action';
import { useActionRun } from '@/app/components/use-action-run';
import { createTenantAction, createUserAction, assignTamAction, unassignTamAction, setUserRoleAction, setUserDisabledAction, resetPasswordAction } from './actions';

type Props = { tenants: { slug: string; name: string }[]; tams: { email: string; name: string }[]; roles: string[] };

function useSubmit() {
  const te = useTranslations('errors');
  const tf = useTranslations('fields');
  const ta = useTranslations('admin');
  const [pending, start] = useTransition();
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const submit = (run: () => Promise<ActionResult<undefined>>, form: HTMLFormElement) =>
    start(async () => {
      const r = await run();
      if (r.ok) {
        form.reset();
        setErrors({});
        setMessage({ ok: true, text: ta('done') });
      } else {
        setErrors(Object.fromEntries(Object.entries(r.errors).map(([k, v]) => [k, tf(`errors.${v}` as 'errors.required')])));
        setMessage({ ok: false, text: te(r.code as 'INTERNAL') });
      }
    });
  return { pending, message, errors, submit };
}

function Field({ name, label, errors, type = 'text', children }: { name: string; label: string; errors: Record<string, string>; type?: string; children?: React.ReactNode }) {
  // useId: two forms on the page have a "Name" and two a "Tenant" field; ids must stay unique.
  const id = useId();
  const errorId = errors[name] ? `${id}-error` : undefined;
  return (
    <div className={`field${errors[name] ? ' invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children ? (
        <select id={id} name={name} aria-invalid={errors[name] ? true : undefined} aria-describedby={errorId}>
          {children}
        </select>
      ) : (
        <input id={id} name={name} type={type} aria-invalid={errors[name] ? true : undefined} aria-describedby={errorId} />
      )}
      {errors[name] && (
        <p id={errorId} className="field-error">
          {errors[name]}
        </p>
      )}
    </div>
  );
}

function Result({ message }: { message: { ok: boolean; text: string } | null }) {
  return message ? (
    <p role="status" className={`alert ${message.ok ? 'success' : 'error'}`}>
      {message.text}
    </p>
  ) : null;
}

export function AdminForms({ tenants, tams, roles }: Props) {
  const t = useTranslations('admin');
  const tc = useTranslations('common');
  const tenant = useSubmit();
  const user = useSubmit();
  const assign = useSubmit();
  const data = (f: HTMLFormElement) => Object.fromEntries(new FormData(f).entries()) as Record<string, string>;
  return (
    <div className="grid-3">
      <form
        className="card form"
        onSubmit={(e) => {
          e.preventDefault();
          const f = e.currentTarget;
          const d = data(f);
          tenant.submit(() => createTenantAction({ slug: d.slug ?? '', name: d.name ?? '' }), f);
        }}
      >
        <h2>{t('createTenant')}</h2>
        <Result message={tenant.message} />
        <Field name="slug" label={t('slug')} errors={tenant.errors} />
        <Field name="name" label={t('name')} errors={tenant.errors} />
        <button className="button primary" disabled={tenant.pending}>
          {t('createTenant')}
        </button>
      </form>
      <form
        className="card form"
        onSubmit={(e) => {
          e.preventDefault();
          const f = e.currentTarget;
          user.submit(() => createUserAction(data(f)), f);
        }}
      >
        <h2>{t('createUser')}</h2>
        <Result message={user.message} />
        <Field name="email" label={t('email')} errors={user.errors} type="email" />
        <Field name="name" label={t('name')} errors={user.errors} />
        <Field name="password" label={t('password')} errors={user.errors} type="password" />
        <Field name="role" label={t('role')} errors={user.errors}>
          {roles.map((r) => (
            <option key={r} value={r}>
              {tc(`roles.${r}` as 'roles.admin')}
            </option>
          ))}
        </Field>
        <Field name="tenant" label={t('tenant')} errors={user.errors}>
          <option value="">—</option>
          {tenants.map((x) => (
            <option key={x.slug} value={x.slug}>
              {x.name}
            </option>
          ))}
        </Field>
        <button className="button primary" disabled={user.pending}>
          {t('createUser')}
        </button>
      </form>
      <form
        className="card form"
        onSubmit={(e) => {
          e.preventDefault();
          const f = e.currentTarget;
          const d = data(f);
          assign.submit(() => assignTamAction({ tam: d.tam ?? '', tenant: d.tenant ?? '' }), f);
        }}
      >
        <h2>{t('assign')}</h2>
        <Result message={assign.message} />
        <Field name="tam" label={t('tams')} errors={assign.errors}>
          {tams.map((x) => (
            <option key={x.email} value={x.email}>
              {x.name}
            </option>
          ))}
        </Field>
        <Field name="tenant" label={t('tenant')} errors={assign.errors}>
          {tenants.map((x) => (
            <option key={x.slug} value={x.slug}>
              {x.name}
            </option>
          ))}
        </Field>
        <button className="button primary" disabled={assign.pending}>
          {t('assign')}
        </button>
      </form>
    </div>
  );
}

export function UnassignButton({ tamId, tenantId, label }: { tamId: string; tenantId: string; label: string }) {
  const [pending, start] = useTransition();
  return (
    <button type="button" className="link-button" disabled={pending} aria-label={label} onClick={() => start(async () => void (await unassignTamAction({ tamId, tenantId })))}>
      ×
    </button>
  );
}

/** A user's role, changed on selection (within staff or within the tenant: the roles offered). */
export function RoleSelect({ userId, email, role, roles }: { userId: string; email: string; role: string; roles: readonly string[] }) {
  const t = useTranslations('admin');
  const tc = useTranslations('common');
  const tf = useTranslations('fields');
  const te = useTranslations('errors');
  const [pending, start] = useTransition();
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  return (
    <>
      <select
        aria-label={t('roleOf', { email })}
        defaultValue={role}
        disabled={pending}
        onChange={(e) => {
          const select = e.currentTarget;
          const next = select.value;
          start(async () => {
            const r = await setUserRoleAction({ userId, role: next });
            if (r.ok) setMessage({ ok: true, text: t('roleChanged') });
            else {
              select.value = role;
              setMessage({ ok: false, text: r.errors.role ? tf(`errors.${r.errors.role}` as 'errors.choose') : te(r.code as 'INTERNAL') });
            }
          });
        }}
      >
        {roles.map((r) => (
          <option key={r} value={r}>
            {tc(`roles.${r}` as 'roles.admin')}
          </option>
        ))}
      </select>
      {message && (
        <span role={message.ok ? 'status' : 'alert'} className={message.ok ? 'muted' : 'field-error'}>
          {' '}
          {message.text}
        </span>
      )}
    </>
  );
}

/** Disable (after a confirmation) or enable a user. */
export function AccessButton({ userId, email, disabled }: { userId: string; email: string; disabled: boolean }) {
  const t = useTranslations('admin');
  const { pending, run, errorView } = useActionRun();
  return (
    <>
      <button
        type="button"
        className={`button subtle${disabled ? '' : ' danger'}`}
        disabled={pending}
        aria-label={t(disabled ? 'enableLabel' : 'disableLabel', { email })}
        onClick={() => {
          if (disabled || window.confirm(t('disableConfirm', { email }))) run(() => setUserDisabledAction({ userId, disabled: !disabled }));
        }}
      >
        {t(disabled ? 'enable' : 'disable')}
      </button>
      {errorView}
    </>
  );
}

/** Gives a user a new random password after a confirmation, and shows it once for the admin to hand over. */
export function ResetPasswordButton({ userId, email }: { userId: string; email: string }) {
  const t = useTranslations('admin');
  const { pending, run, errorView } = useActionRun();
  const [shown, setShown] = useState<string | null>(null);
  return (
    <>
      <button
        type="button"
        className="button subtle"
        disabled={pending}
        aria-label={t('resetPasswordLabel', { email })}
        onClick={() => {
          if (window.confirm(t('resetPasswordConfirm', { email }))) run(() => resetPasswordAction({ userId }), setShown);
        }}
      >
        {t('resetPassword')}
      </button>
      {shown && (
        <span role="status" className="alert inline success">
          {t('newPassword', { email })} <code data-testid="new-password">{shown}</code>
        </span>
      )}
      {errorView}
    </>
  );
}
