'use client';
import { useMemo, useState, useTransition } from 'react';
import { useRouter } from 'next/navigation';
import { useTranslations } from 'next-intl';
import { SmtpRequestSchema, portEncryptionWarning, DESTINATION_FIELDS, ENCRYPTIONS, AUTH_METHODS } from '@/lib/smtp-request-schema';
import { PROVIDER_PRESETS } from '@/lib/providers';
import type { ActionResult } from '@/server/http/action';

type Values = {
  host: string;
  port: string;
  encryption: string;
  authMethod: string;
  username: string;
  password: string;
  heloDomain: string;
  noReplyAddress: string;
  noReplyName: string;
  supportContact: string;
  testRecipient: string;
  notes: string;
};

type Props = {
  initial?: Omit<Values, 'password'> & { hasPassword: boolean };
  submitLabel: 'submit' | 'saveChanges';
  onSubmit: (input: Record<string, unknown>) => Promise<ActionResult<{ id: string }>>;
};

const EMPTY: Values = { host: '', port: '587', encryption: 'starttls', authMethod: 'auto', username: '', password: '', heloDomain: '', noReplyAddress: '', noReplyName: '', supportContact: '', testRecipient: '', notes: '' };

function toInput(v: Values): Record<string, unknown> {
  const { password, ...rest } = v;
  return { ...rest, ...(password ? { password } : {}) };
}

// Only the form's fields: `hasPassword` in the values would make the strict schema refuse every edit.
function initialValues(initial: Props['initial']): Values {
  if (!initial) return EMPTY;
  const { hasPassword: _hasPassword, ...fields } = initial;
  return { ...fields, password: '' };
}

export function RequestForm({ initial, submitLabel, onSubmit }: Props) {
  const t = useTranslations('fields');
  const tr = useTranslations('requests');
  const tp = useTranslations('providers');
  const root = useTranslations();
  const router = useRouter();
  const [values, setValues] = useState<Values>(() => initialValues(initial));
  const [errors, setErrors] = useState<Record<string, string>>({});
  // The banner's message key (translated when shown, so a language switch translates it too).
  const [formError, setFormError] = useState<string | null>(null);
  const [preset, setPreset] = useState<string>('');
  const [pending, startTransition] = useTransition();

  const destinationChanged = !!initial && DESTINATION_FIELDS.some((k) => String(values[k]) !== String(initial[k]));
  const keepsPassword = !!initial?.hasPassword && !destinationChanged;
  const warning = portEncryptionWarning(Number(values.port), values.encryption);
  const needsCredentials = values.authMethod !== 'none';
  const presetCaveat = useMemo(() => (preset ? tp(`${preset}.caveat` as 'm365.caveat') : null), [preset, tp]);

  function set<K extends keyof Values>(key: K, value: Values[K]) {
    setValues((v) => ({ ...v, [key]: value }));
    if (errors[key]) setErrors(({ [key]: _drop, ...rest }) => rest);
  }

  function applyPreset(id: string) {
    setPreset(id);
    const p = PROVIDER_PRESETS.find((x) => x.id === id);
    if (p) setValues((v) => ({ ...v, host: p.host, port: String(p.port), encryption: p.encryption, authMethod: p.authMethod }));
  }

  function validate(): Record<string, string> {
    const candidate = { ...toInput(values), ...(keepsPassword && !values.password ? { password: 'kept' } : {}) };
    const result = SmtpRequestSchema.safeParse(candidate);
    if (result.success) return {};
    const found: Record<string, string> = {};
    for (const issue of result.error.issues) {
      const path = issue.path.join('.');
      if (!found[path]) found[path] = path === 'password' && initial?.hasPassword && destinationChanged ? 'passwordRetype' : issue.message;
    }
    return found;
  }

  function submit(e: React.FormEvent) {
    e.preventDefault();
    const found = validate();
    setErrors(found);
    if (Object.keys(found).length > 0) {
      setFormError('errors.VALIDATION_FAILED');
      focusFirstError(found);
      return;
    }
    setFormError(null);
    startTransition(async () => {
      const result = await onSubmit(toInput(values));
      if (result.ok) {
        router.push(`/requests/${result.data.id}?done=${initial ? 'saved' : 'created'}`);
        router.refresh();
        return;
      }
      setErrors(result.errors);
      setFormError(Object.keys(result.errors).length ? 'errors.VALIDATION_FAILED' : `errors.${result.code}`);
      focusFirstError(result.errors);
    });
  }

  const fieldMessage = (key: string) => (errors[key] ? t(`errors.${errors[key]}` as 'errors.required') : null);

  const text = (key: keyof Values, opts: { type?: string; help?: boolean; optional?: boolean; autoComplete?: string; inputMode?: 'numeric' } = {}) => {
    const message = fieldMessage(key);
    const helpId = opts.help ? `${key}-help` : undefined;
    const errId = message ? `${key}-error` : undefined;
    return (
      <div className={`field${message ? ' invalid' : ''}`}>
        <label htmlFor={key}>
          {t(key as 'host')}
          {opts.optional && <span className="muted"> ({t('optional')})</span>}
        </label>
        <input
          id={key}
          name={key}
          type={opts.type ?? 'text'}
          value={values[key]}
          inputMode={opts.inputMode}
          autoComplete={opts.autoComplete ?? 'off'}
          spellCheck={false}
          aria-invalid={message ? true : undefined}
          aria-describedby={[helpId, errId].filter(Boolean).join(' ') || undefined}
          onChange={(e) => set(key, e.target.value)}
        />
        {opts.help && (
          <p id={helpId} className="help">
            {t(`${key}Help` as 'hostHelp')}
          </p>
        )}
        {message && (
          <p id={errId} className="field-error">
            {message}
          </p>
        )}
      </div>
    );
  };

  const select = (key: 'encryption' | 'authMethod', options: readonly string[]) => {
    const message = fieldMessage(key);
    return (
      <div className={`field${message ? ' invalid' : ''}`}>
        <label htmlFor={key}>{t(key)}</label>
        <select id={key} name={key} value={values[key]} onChange={(e) => set(key, e.target.value)} aria-invalid={message ? true : undefined} aria-describedby={message ? `${key}-error` : undefined}>
          {options.map((o) => (
            <option key={o} value={o}>
              {t(`${key}Options.${o}` as 'encryptionOptions.none')}
            </option>
          ))}
        </select>
        {message && (
          <p id={`${key}-error`} className="field-error">
            {message}
          </p>
        )}
      </div>
    );
  };

  return (
    <form onSubmit={submit} className="form request-form" noValidate aria-busy={pending}>
      {formError && (
        <p role="alert" className="alert error">
          {root(formError as 'errors.INTERNAL')}
        </p>
      )}
      <fieldset className="presets">
        <legend>{tp('title')}</legend>
        <div className="preset-buttons">
          {PROVIDER_PRESETS.map((p) => (
            <button type="button" key={p.id} className={`button${preset === p.id ? ' selected' : ''}`} aria-pressed={preset === p.id} onClick={() => applyPreset(p.id)}>
              {tp(`${p.id}.name` as 'm365.name')}
            </button>
          ))}
        </div>
        {presetCaveat && (
          <p className="alert info" role="status">
            {presetCaveat}
          </p>
        )}
      </fieldset>

      <div className="grid-2">
        {text('host', { help: true })}
        {text('port', { help: true, inputMode: 'numeric' })}
      </div>
      <div className="grid-2">
        {select('encryption', ENCRYPTIONS)}
        {select('authMethod', AUTH_METHODS)}
      </div>
      {warning && (
        <p className="alert warning" role="status" data-testid="port-warning">
          {t(`warnings.${warning}`)}
        </p>
      )}
      {needsCredentials && (
        <div className="grid-2">
          {text('username', { autoComplete: 'off' })}
          <div>
            {text('password', { type: 'password', autoComplete: 'new-password' })}
            <p className="help">{keepsPassword ? t('passwordSet') : initial?.hasPassword && destinationChanged ? t('passwordDropped') : t('passwordHelp')}</p>
          </div>
        </div>
      )}
      {text('heloDomain', { help: true, optional: true })}
      <div className="grid-2">
        {text('noReplyAddress', { help: true, type: 'email' })}
        {text('noReplyName', { optional: true })}
      </div>
      <div className="grid-2">
        {text('supportContact', { help: true, optional: true })}
        {text('testRecipient', { help: true, type: 'email' })}
      </div>
      <div className={`field${fieldMessage('notes') ? ' invalid' : ''}`}>
        <label htmlFor="notes">
          {t('notes')} <span className="muted">({t('optional')})</span>
        </label>
        <textarea
          id="notes"
          name="notes"
          rows={3}
          value={values.notes}
          aria-invalid={fieldMessage('notes') ? true : undefined}
          aria-describedby={fieldMessage('notes') ? 'notes-error' : undefined}
          onChange={(e) => set('notes', e.target.value)}
        />
        {fieldMessage('notes') && (
          <p id="notes-error" className="field-error">
            {fieldMessage('notes')}
          </p>
        )}
      </div>
      <div className="actions">
        <button type="submit" className="button primary" disabled={pending}>
          {pending ? tr('submitting') : tr(submitLabel)}
        </button>
      </div>
    </form>
  );
}

function focusFirstError(errors: Record<string, string>) {
  const first = Object.keys(errors)[0];
  if (first) requestAnimationFrame(() => document.getElementById(first)?.focus());
}
