'use client';
// Change one's own password: checked with the shared schema here for instant field errors, and again on the server.
import { useState, useTransition } from 'react';
import { useTranslations } from 'next-intl';
import { PasswordChangeSchema } from '@/lib/password-schema';
import { PasswordField } from '@/app/components/password-field';
import { changePasswordAction } from './actions';

const FIELDS = [
  ['current', 'current-password'],
  ['next', 'new-password'],
  ['confirm', 'new-password'],
] as const;

export function PasswordForm() {
  const t = useTranslations('profile');
  const tf = useTranslations('fields');
  const te = useTranslations('errors');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<string | null>(null);
  const [pending, start] = useTransition();
  const fieldError = (key: string) => tf(`errors.${key}` as 'errors.required');
  return (
    <form
      className="form narrow"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        const form = e.currentTarget;
        const input = Object.fromEntries(new FormData(form).entries()) as { current: string; next: string; confirm: string };
        const local = PasswordChangeSchema.safeParse(input);
        if (!local.success) {
          setErrors(Object.fromEntries(local.error.issues.map((i) => [String(i.path[0]), fieldError(i.message)])));
          setMessage(null);
          return;
        }
        start(async () => {
          // On success the action reloads the page, which says so.
          const r = await changePasswordAction(input);
          if (!r.ok) {
            setErrors(Object.fromEntries(Object.entries(r.errors).map(([k, v]) => [k, fieldError(v)])));
            setMessage(te(r.code as 'INTERNAL'));
          }
        });
      }}
    >
      {message && (
        <p role="alert" className="alert error">
          {message}
        </p>
      )}
      {FIELDS.map(([name, autoComplete]) => (
        <PasswordField key={name} id={`password-${name}`} name={name} label={t(`passwordFields.${name}`)} autoComplete={autoComplete} error={errors[name]} />
      ))}
      <button className="button primary" disabled={pending}>
        {t('changePassword')}
      </button>
    </form>
  );
}
