'use client';
// Set a password from an invitation link: checked with the shared schema here for instant field errors,
// and again on the server. On success the action signs in and moves on; a link that stopped working
// meanwhile (used, revoked, replaced, expired) reloads the page, which says why.
import { useState, useTransition } from 'react';
import { useRouter } from 'next/navigation';
import { useTranslations } from 'next-intl';
import { AcceptInvitationSchema } from '@/lib/invitation-schema';
import { PasswordField } from '@/app/components/password-field';
import { acceptInvitationAction } from './actions';

const FIELDS = ['password', 'confirm'] as const;

export function AcceptInvitationForm({ token, email }: { token: string; email: string }) {
  const t = useTranslations('invitationPage');
  const tf = useTranslations('fields');
  const te = useTranslations('errors');
  const router = useRouter();
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<string | null>(null);
  const [pending, start] = useTransition();
  const fieldError = (key: string) => tf(`errors.${key}` as 'errors.required');
  return (
    <form
      className="form"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        const input = Object.fromEntries(new FormData(e.currentTarget).entries()) as { password: string; confirm: string };
        const local = AcceptInvitationSchema.safeParse(input);
        if (!local.success) {
          setErrors(Object.fromEntries(local.error.issues.map((i) => [String(i.path[0]), fieldError(i.message)])));
          setMessage(null);
          return;
        }
        start(async () => {
          const r = await acceptInvitationAction(token, input);
          if (r.code === 'NOT_FOUND' && r.reason) return router.refresh();
          setErrors(Object.fromEntries(Object.entries(r.errors).map(([k, v]) => [k, fieldError(v)])));
          setMessage(r.code === 'CONFLICT' ? t('exists') : te((r.code ?? 'INTERNAL') as 'INTERNAL'));
        });
      }}
    >
      {message && (
        <p role="alert" className="alert error">
          {message}
        </p>
      )}
      {/* For password managers: the account the password is for. */}
      <input type="email" name="username" autoComplete="username" value={email} readOnly hidden />
      {FIELDS.map((name) => (
        <PasswordField key={name} id={`invite-${name}`} name={name} label={t(name)} autoComplete="new-password" error={errors[name]} />
      ))}
      <button className="button primary" disabled={pending}>
        {t('submit')}
      </button>
    </form>
  );
}
