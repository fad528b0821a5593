'use client';
import { useActionState } from 'react';
import { useTranslations } from 'next-intl';
import { signInAction, type SignInState } from './actions';

export function SignInForm() {
  const t = useTranslations('auth');
  const [state, action, pending] = useActionState<SignInState, FormData>(signInAction, { error: null, email: '' });
  return (
    <form action={action} className="form" noValidate>
      {state.error && (
        <p role="alert" className="alert error">
          {t(state.error)}
        </p>
      )}
      <div className="field">
        <label htmlFor="email">{t('email')}</label>
        <input id="email" name="email" type="email" autoComplete="username" required defaultValue={state.email} autoFocus />
      </div>
      <div className="field">
        <label htmlFor="password">{t('password')}</label>
        <input id="password" name="password" type="password" autoComplete="current-password" required />
      </div>
      <button type="submit" className="button primary" disabled={pending} aria-busy={pending}>
        {pending ? t('submitting') : t('submit')}
      </button>
    </form>
  );
}
