'use client';
import { useState, useTransition } from 'react';
import { useTranslations } from 'next-intl';
import { createTokenAction, revokeTokenAction } from './actions';

type TokenRow = { id: string; name: string; prefix: string; created: React.ReactNode; lastUsed: React.ReactNode; revoked: boolean };

export function TokenPanel({ tokens }: { tokens: TokenRow[] }) {
  const t = useTranslations('profile');
  const te = useTranslations('errors');
  const [name, setName] = useState('');
  const [shown, setShown] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pending, start] = useTransition();
  return (
    <>
      <form
        className="form inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          start(async () => {
            const r = await createTokenAction(name);
            if (r.ok) {
              setShown(r.data.token);
              setName('');
              setError(null);
            } else setError(r.code);
          });
        }}
      >
        <div className="field">
          <label htmlFor="token-name">{t('tokenName')}</label>
          <input id="token-name" value={name} maxLength={100} onChange={(e) => setName(e.target.value)} />
        </div>
        <button className="button primary" disabled={pending}>
          {t('createToken')}
        </button>
      </form>
      {error && (
        <p role="alert" className="alert error">
          {te(error as 'INTERNAL')}
        </p>
      )}
      {shown && (
        <div className="alert success" role="status">
          <p>{t('tokenCreated')}</p>
          <code className="token" data-testid="new-token">
            {shown}
          </code>
        </div>
      )}
      {tokens.length === 0 ? (
        <p className="empty-state">{t('noTokens')}</p>
      ) : (
        <ul className="token-list">
          {tokens.map((x) => (
            <li key={x.id}>
              <strong>{x.name}</strong> <code>{x.prefix}…</code>{' '}
              <span className="muted">
                {t('created')} {x.created} · {t('lastUsed')} {x.lastUsed}
              </span>{' '}
              {x.revoked ? (
                <span className="badge">{t('revoked')}</span>
              ) : (
                <button type="button" className="button subtle" disabled={pending} onClick={() => start(async () => void (await revokeTokenAction(x.id)))}>
                  {t('revoke')}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
