'use client';
import { useId, useState, useTransition } from 'react';
import { useTranslations } from 'next-intl';
import type { ActionResult } from '@/server/http/action';
import { useActionRun } from '@/app/components/use-action-run';
import { ConfirmButton } from '@/app/components/confirm-button';
import { createTenantAction, assignTamAction, unassignTamAction, setUserRoleAction, setUserDisabledAction, resetPasswordAction } from './actions';

type Props = { tenants: { slug: string; name: string }[]; tams: { email: string; name: string }[] };

/** A form's submission: messages are kept as catalog keys and translated when shown (a language switch translates them too). */
function useSubmit() {
  const root = useTranslations();
  const [pending, start] = useTransition();
  const [message, setMessage] = useState<{ ok: boolean; key: string; values?: Record<string, string> } | null>(null);
  const [errorKeys, setErrorKeys] = useState<Record<string, string>>({});
  const submit = (run: () => Promise<ActionResult<undefined>>, form: HTMLFormElement, done: { key: string; values?: Record<string, string> }, onReset?: () => void) =>
    start(async () => {
      const r = await run();
      if (r.ok) {
        form.reset();
        onReset?.();
        setErrorKeys({});
        setMessage({ ok: true, ...done });
      } else {
        setErrorKeys(Object.fromEntries(Object.entries(r.errors).map(([k, v]) => [k, `fields.errors.${v}`])));
        setMessage({ ok: false, key: Object.keys(r.errors).length ? 'errors.VALIDATION_FAILED' : `errors.${r.code}` });
      }
    });
  const errors = Object.fromEntries(Object.entries(errorKeys).map(([k, v]) => [k, root(v as 'errors.INTERNAL')]));
  const shown = message ? { ok: message.ok, text: root(message.key as 'errors.INTERNAL', message.values) } : null;
  return { pending, message: shown, errors, submit };
}

type FieldProps = {
  name: string;
  label: string;
  errors: Record<string, string>;
  type?: string;
  children?: React.ReactNode;
  value?: string;
  onChange?: (value: string) => void;
  required?: boolean;
};

function Field({ name, label, errors, type = 'text', children, value, onChange, required }: FieldProps) {
  // useId: two forms on the page have a "Name" and two a "Tenant" field; ids must stay unique.
  const id = useId();
  const errorId = errors[name] ? `${id}-error` : undefined;
  return (
    <div className={`field${errors[name] ? ' invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children ? (
        <select
          id={id}
          name={name}
          aria-invalid={errors[name] ? true : undefined}
          aria-describedby={errorId}
          required={required}
          {...(onChange ? { value, onChange: (e: React.ChangeEvent<HTMLSelectElement>) => onChange(e.target.value) } : {})}
        >
          {children}
        </select>
      ) : (
        <input id={id} name={name} type={type} required={required} aria-invalid={errors[name] ? true : undefined} aria-describedby={errorId} />
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

export function AdminForms({ tenants, tams }: Props) {
  const t = useTranslations('admin');
  const tenant = useSubmit();
  const assign = useSubmit();
  const data = (f: HTMLFormElement) => Object.fromEntries(new FormData(f).entries()) as Record<string, string>;
  return (
    <div className="grid-2">
      <form
        className="card form"
        onSubmit={(e) => {
          e.preventDefault();
          const f = e.currentTarget;
          const d = data(f);
          tenant.submit(() => createTenantAction({ slug: d.slug ?? '', name: d.name ?? '' }), f, { key: 'admin.tenantCreated', values: { name: d.name ?? '' } });
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
          const d = data(f);
          assign.submit(() => assignTamAction({ tam: d.tam ?? '', tenant: d.tenant ?? '' }), f, { key: 'admin.tamAssigned' });
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

export function UnassignButton({ tamId, tenantId, label, tam, tenant }: { tamId: string; tenantId: string; label: string; tam: string; tenant: string }) {
  const t = useTranslations('admin');
  return (
    <ConfirmButton
      label="×"
      ariaLabel={label}
      className="link-button"
      question={t('unassignConfirm', { tam, tenant })}
      confirmLabel={t('unassign')}
      onConfirm={() => unassignTamAction({ tamId, tenantId })}
      done={() => t('unassigned', { tam, tenant })}
    />
  );
}

/**
 * A user's role: choosing in the list changes nothing yet (a keyboard user arrowing through it would
 * otherwise change the role at each step); "Change role" then asks to confirm.
 */
export function RoleSelect({ userId, email, role, roles }: { userId: string; email: string; role: string; roles: readonly string[] }) {
  const t = useTranslations('admin');
  const tc = useTranslations('common');
  const [next, setNext] = useState(role);
  const name = (r: string) => tc(`roles.${r}` as 'roles.admin');
  return (
    <span className="role-select">
      <select aria-label={t('roleOf', { email })} value={next} onChange={(e) => setNext(e.target.value)}>
        {roles.map((r) => (
          <option key={r} value={r}>
            {name(r)}
          </option>
        ))}
      </select>{' '}
      {next !== role && (
        <ConfirmButton
          label={t('changeRole')}
          ariaLabel={t('changeRoleOf', { email })}
          question={t('roleConfirm', { email, from: name(role), to: name(next) })}
          confirmLabel={t('changeRole')}
          onConfirm={() => setUserRoleAction({ userId, role: next })}
          done={() => t('roleChangedTo', { email, role: name(next) })}
        />
      )}
    </span>
  );
}

/** Disable (after a confirmation) or enable a user. */
export function AccessButton({ userId, email, disabled }: { userId: string; email: string; disabled: boolean }) {
  const t = useTranslations('admin');
  const { pending, run, errorView } = useActionRun();
  const [done, setDone] = useState<boolean | null>(null);
  return (
    <>
      <button
        type="button"
        className={`button subtle${disabled ? '' : ' danger'}`}
        disabled={pending}
        aria-label={t(disabled ? 'enableLabel' : 'disableLabel', { email })}
        onClick={() => {
          if (disabled || window.confirm(t('disableConfirm', { email })))
            run(
              () => setUserDisabledAction({ userId, disabled: !disabled }),
              () => setDone(!disabled),
            );
        }}
      >
        {t(disabled ? 'enable' : 'disable')}
      </button>
      {done !== null && (
        <span role="status" className="alert inline success">
          {t(done ? 'userDisabled' : 'userEnabled', { email })}
        </span>
      )}
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
