'use client';
import { useMemo, useState, useTransition } from 'react';
import { useRouter } from 'next/navigation';
import { useTranslations } from 'next-intl';
import { portEncryptionWarning, ENCRYPTIONS, AUTH_METHODS } from '@/lib/smtp-request-schema';
import {
  OAUTH_CLOUDS,
  OAUTH_PROVIDERS,
  SECRET_FIELDS,
  destinationChanged as changesDestination,
  emptyFormValues,
  formInput,
  formValuesOf,
  keptSecrets,
  secretFlag,
  smtpRequestSchema,
  type FormValues,
  type RequestContent,
  type SecretField,
  type SecretFlags,
} from '@/lib/smtp-config-model';
import { MICROSOFT_CLOUD_SERVERS, OAUTH_SETUP_STEPS, PROVIDER_PRESETS } from '@/lib/providers';
import type { OAuthCloud } from '@/server/oauth/oauth-settings';
import type { ActionResult } from '@/server/http/action';
import { SettingsCheckResult, useSettingsCheck } from './settings-check';

type Values = FormValues;
type Credential = 'secret' | 'certificate';

type Props = {
  /** The request being edited, as its view shows it: fields and which secrets are stored. */
  initial?: RequestContent & SecretFlags;
  submitLabel: 'submit' | 'saveChanges';
  onSubmit: (input: Record<string, unknown>) => Promise<ActionResult<{ id: string }>>;
  /** Values that replace the initial ones (the one-click switch to OAuth pre-sets the method, provider and cloud). */
  startWith?: Partial<Values>;
  /** Fields marked for the user to fill in (the switch to OAuth marks the new credential fields). */
  highlight?: readonly string[];
};

const EMPTY: Values = { ...emptyFormValues(), port: '587', encryption: 'starttls', authMethod: 'auto', oauthProvider: 'microsoft', oauthCloud: 'global' };

/** The acknowledgement only means something for a login without encryption; otherwise it is sent as false. */
function acknowledgementApplies(v: Pick<Values, 'encryption' | 'authMethod'>): boolean {
  return v.encryption === 'none' && v.authMethod !== 'none' && v.authMethod !== 'oauth2';
}

/** What is sent: the fields the method, provider and (Microsoft) credential use; a secret only when typed. */
function toInput(v: Values, credential: Credential): Record<string, unknown> {
  const input = formInput(v);
  if (!acknowledgementApplies(v)) input.plaintextAuthAcknowledged = false;
  if (v.authMethod === 'oauth2' && v.oauthProvider === 'microsoft') {
    for (const k of credential === 'secret' ? ['oauthCertificate', 'oauthPrivateKey'] : ['oauthClientSecret']) delete input[k];
  }
  return input;
}

// Only the form's fields: the view's `has…` flags in the values would make the strict schema refuse every edit.
function initialValues(initial: Props['initial']): Values {
  if (!initial) return EMPTY;
  const values = formValuesOf(initial);
  return { ...values, oauthProvider: values.oauthProvider || EMPTY.oauthProvider, oauthCloud: values.oauthCloud || EMPTY.oauthCloud };
}

export function RequestForm({ initial, submitLabel, onSubmit, startWith, highlight = [] }: Props) {
  const t = useTranslations('fields');
  const tr = useTranslations('requests');
  const tp = useTranslations('providers');
  const root = useTranslations();
  const router = useRouter();
  const [values, setValues] = useState<Values>(() => ({ ...initialValues(initial), ...startWith }));
  const marked = (key: string) => (highlight.includes(key) ? ' highlight' : '');
  const [credential, setCredential] = useState<Credential>(initial?.oauthCertificate ? 'certificate' : 'secret');
  const [errors, setErrors] = useState<Record<string, string>>({});
  // The banner's message key (translated when shown, so a language switch translates it too).
  const [formError, setFormError] = useState<string | null>(null);
  const [preset, setPreset] = useState<string>('');
  const [pending, startTransition] = useTransition();
  // The field the last check's diagnosis names (cleared when the customer changes it).
  const [checkField, setCheckField] = useState<string | null>(null);
  const check = useSettingsCheck();
  const tc = useTranslations('check');

  const input = toInput(values, credential);
  const destinationChanged = !!initial && changesDestination(initial, input);
  const kept = initial ? keptSecrets(initial, initial, input) : {};
  const keepsPassword = !!kept.password;
  const warning = portEncryptionWarning(Number(values.port), values.encryption);
  const oauth = values.authMethod === 'oauth2';
  const needsCredentials = values.authMethod !== 'none';
  const provider = values.oauthProvider as (typeof OAUTH_PROVIDERS)[number];
  const presetCaveat = useMemo(() => (preset ? tp(`${preset}.caveat` as 'm365.caveat') : null), [preset, tp]);

  function set<K extends keyof Values>(key: K, value: Values[K]) {
    setValues((v) => ({ ...v, [key]: value }));
    if (errors[key]) setErrors(({ [key]: _drop, ...rest }) => rest);
    if (checkField === key) setCheckField(null);
  }

  function applyPreset(id: string) {
    setPreset(id);
    const p = PROVIDER_PRESETS.find((x) => x.id === id);
    if (!p) return;
    setValues((v) => {
      const next = { ...v, host: p.host, port: String(p.port), encryption: p.encryption, authMethod: p.authMethod, oauthProvider: p.oauthProvider ?? v.oauthProvider };
      if (p.oauthProvider !== 'microsoft') return next;
      const cloud = (v.oauthCloud || 'global') as OAuthCloud;
      return { ...next, oauthCloud: cloud, host: MICROSOFT_CLOUD_SERVERS[cloud].host, port: String(MICROSOFT_CLOUD_SERVERS[cloud].port) };
    });
  }

  // A cloud has its own SMTP server: choosing one fills it in.
  function chooseCloud(cloud: OAuthCloud) {
    setValues((v) => ({ ...v, oauthCloud: cloud, host: MICROSOFT_CLOUD_SERVERS[cloud].host, port: String(MICROSOFT_CLOUD_SERVERS[cloud].port) }));
  }

  function validate(): Record<string, string> {
    const result = smtpRequestSchema(kept).safeParse(input);
    if (result.success) return {};
    const found: Record<string, string> = {};
    for (const issue of result.error.issues) {
      const path = issue.path.join('.');
      const secret = SECRET_FIELDS.find((k) => k === path);
      const dropped = !!secret && !!initial?.[secretFlag(secret)] && destinationChanged;
      if (!found[path]) found[path] = dropped ? (secret === 'password' ? 'passwordRetype' : 'secretRetype') : issue.message;
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
      const result = await onSubmit(input);
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

  /** Check these settings: what is in the form, typed secrets included, before filing (no mail is sent). */
  async function runCheck() {
    const found = validate();
    setErrors(found);
    setCheckField(null);
    if (Object.keys(found).length > 0) {
      check.reset();
      setFormError('errors.VALIDATION_FAILED');
      focusFirstError(found);
      return;
    }
    setFormError(null);
    const outcome = await check.start('/api/v1/smtp-checks', input);
    if (!outcome) return;
    if ('problem' in outcome) {
      const fieldErrors = Object.fromEntries((outcome.problem.errors ?? []).map((e) => [e.path, e.message]));
      setErrors(fieldErrors);
      if (Object.keys(fieldErrors).length) setFormError('errors.VALIDATION_FAILED');
      focusFirstError(fieldErrors);
      return;
    }
    const field = outcome.run.steps.find((s) => !s.ok)?.field;
    if (field && field in values) {
      setCheckField(field);
      requestAnimationFrame(() => document.getElementById(field)?.focus());
    }
  }

  const fieldMessage = (key: string) => (errors[key] ? t(`errors.${errors[key]}` as 'errors.required') : checkField === key ? tc('fieldFailed') : null);

  /** The line under a write-only field: kept, dropped by a change of destination, or how it is stored. */
  const secretHelp = (key: SecretField) =>
    kept[key]
      ? t(key === 'password' ? 'passwordSet' : 'secretSet')
      : initial?.[secretFlag(key)] && destinationChanged
        ? t(key === 'password' ? 'passwordDropped' : 'secretDropped')
        : null;

  type TextOptions = { type?: string; help?: boolean | string; optional?: boolean; autoComplete?: string; inputMode?: 'numeric'; multiline?: boolean };
  const text = (key: keyof Values, opts: TextOptions = {}) => {
    const message = fieldMessage(key);
    const helpText = typeof opts.help === 'string' ? opts.help : opts.help ? t(`${key}Help` as 'hostHelp') : null;
    const helpId = helpText ? `${key}-help` : undefined;
    const errId = message ? `${key}-error` : undefined;
    const common = {
      id: key,
      name: key,
      value: String(values[key]),
      spellCheck: false,
      'aria-invalid': message ? true : undefined,
      'aria-describedby': [helpId, errId].filter(Boolean).join(' ') || undefined,
    };
    return (
      <div className={`field${message ? ' invalid' : ''}${marked(key)}`} data-highlight={highlight.includes(key) || undefined}>
        <label htmlFor={key}>
          {t(key as 'host')}
          {opts.optional && <span className="muted"> ({t('optional')})</span>}
        </label>
        {opts.multiline ? (
          <textarea {...common} rows={5} className="mono" autoComplete="off" onChange={(e) => set(key, e.target.value)} />
        ) : (
          <input {...common} type={opts.type ?? 'text'} inputMode={opts.inputMode} autoComplete={opts.autoComplete ?? 'off'} onChange={(e) => set(key, e.target.value)} />
        )}
        {helpText && (
          <p id={helpId} className="help">
            {helpText}
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

  /** A write-only field: never prefilled; its help says whether a stored one is kept. */
  const secret = (key: SecretField, opts: TextOptions = {}) =>
    text(key, { type: 'password', autoComplete: 'new-password', ...opts, help: secretHelp(key) ?? (opts.help === true ? t(`${key}Help` as 'hostHelp') : t('secretHelp')) });

  const select = (key: 'encryption' | 'authMethod' | 'oauthProvider' | 'oauthCloud', options: readonly string[], onChange?: (value: string) => void) => {
    const message = fieldMessage(key);
    return (
      <div className={`field${message ? ' invalid' : ''}`}>
        <label htmlFor={key}>{t(key)}</label>
        <select
          id={key}
          name={key}
          value={values[key]}
          onChange={(e) => (onChange ? onChange(e.target.value) : set(key, e.target.value))}
          aria-invalid={message ? true : undefined}
          aria-describedby={message ? `${key}-error` : undefined}
        >
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

  const steps = oauth ? OAUTH_SETUP_STEPS[provider] : null;

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
      {acknowledgementApplies(values) && (
        <div className="field">
          <label className="checkbox" htmlFor="plaintextAuthAcknowledged">
            <input
              id="plaintextAuthAcknowledged"
              name="plaintextAuthAcknowledged"
              type="checkbox"
              checked={values.plaintextAuthAcknowledged}
              aria-describedby="plaintextAuthAcknowledged-help"
              onChange={(e) => set('plaintextAuthAcknowledged', e.target.checked)}
            />{' '}
            {t('plaintextAuthAcknowledged')}
          </label>
          <p id="plaintextAuthAcknowledged-help" className="help">
            {t('plaintextAuthAcknowledgedHelp')}
          </p>
        </div>
      )}
      {needsCredentials && !oauth && (
        <div className="grid-2">
          {text('username', { autoComplete: 'off' })}
          <div>
            {text('password', { type: 'password', autoComplete: 'new-password' })}
            <p className="help">{keepsPassword ? t('passwordSet') : initial?.hasPassword && destinationChanged ? t('passwordDropped') : t('passwordHelp')}</p>
          </div>
        </div>
      )}
      {oauth && (
        <fieldset className="oauth" data-testid="oauth-fields">
          <legend>{t('authMethodOptions.oauth2')}</legend>
          <div className="grid-2">
            {select('oauthProvider', OAUTH_PROVIDERS)}
            {provider === 'microsoft' && select('oauthCloud', OAUTH_CLOUDS, (v) => chooseCloud(v as OAuthCloud))}
          </div>
          {text('username', { autoComplete: 'off', help: t('mailboxHelp') })}
          {provider === 'microsoft' && (
            <>
              <div className="grid-2">
                {text('oauthTenantId', { help: true })}
                {text('oauthClientId', { help: true })}
              </div>
              <div className={`field${marked('oauthCredential')}`} role="radiogroup" aria-labelledby="oauthCredential-label">
                <span id="oauthCredential-label">{t('oauthCredential')}</span>
                {(['secret', 'certificate'] as const).map((c) => (
                  <label key={c} className="inline">
                    <input type="radio" name="oauthCredential" value={c} checked={credential === c} onChange={() => setCredential(c)} /> {t(`oauthCredentialOptions.${c}`)}
                  </label>
                ))}
              </div>
              {credential === 'secret' ? (
                secret('oauthClientSecret')
              ) : (
                <>
                  {text('oauthCertificate', { help: true, multiline: true })}
                  {secret('oauthPrivateKey', { help: true, multiline: true })}
                </>
              )}
            </>
          )}
          {provider === 'google' && secret('oauthServiceAccountKey', { help: true, multiline: true })}
          {provider === 'generic' && (
            <>
              {text('oauthTokenUrl', { help: true })}
              <div className="grid-2">
                {text('oauthClientId')}
                {secret('oauthClientSecret')}
              </div>
              {text('oauthScope')}
            </>
          )}
          {steps && (
            <details className="oauth-steps" open={!initial || !!startWith}>
              <summary>{tp(`${steps.key}.stepsTitle` as 'm365.stepsTitle')}</summary>
              <ol>
                {Array.from({ length: steps.count }, (_, i) => (
                  <li key={i}>{tp(`${steps.key}.step${i + 1}` as 'm365.step1')}</li>
                ))}
              </ol>
            </details>
          )}
        </fieldset>
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
      {!initial && (
        <section className="card settings-check-panel" aria-labelledby="check-h">
          <h2 id="check-h">{tc('title')}</h2>
          <p className="help">{tc('intro')}</p>
          <button type="button" className="button" disabled={pending || check.running} onClick={runCheck} data-testid="check-settings">
            {check.running ? tc('checking') : tc('button')}
          </button>
          <SettingsCheckResult check={check} host={values.host} port={values.port} passedKey="passed" />
        </section>
      )}
      <div className="actions">
        <button type="submit" className="button primary" disabled={pending || check.running}>
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
