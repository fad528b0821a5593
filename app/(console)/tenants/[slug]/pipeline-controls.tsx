'use client';
// The TAM's controls on the tenant page: rollback, pause/resume, limits, dead-letter retry, pipeline tokens.
import { useState } from 'react';
import { useTranslations } from 'next-intl';
import { useActionRun } from '@/app/components/use-action-run';
import { ConfirmButton } from '@/app/components/confirm-button';
import { createPipelineTokenAction, retryDeadAction, revokePipelineTokenAction, rollbackAction, updatePipelineAction } from './actions';

export function RollbackButton({ slug, version }: { slug: string; version: number }) {
  const t = useTranslations('pipeline');
  return (
    <ConfirmButton
      label={t('versions.rollback', { version })}
      question={t('versions.rollbackConfirm', { version })}
      confirmLabel={t('versions.rollbackDo')}
      onConfirm={() => rollbackAction(slug, version)}
      done={(data) => t('versions.rolledBack', { version: data.version, from: version })}
    />
  );
}

export function PauseButton({ slug, paused }: { slug: string; paused: boolean }) {
  const t = useTranslations('pipeline');
  const { pending, run, errorView } = useActionRun();
  // After the change the page re-renders with the other button: it reports what the click did.
  const [done, setDone] = useState(false);
  return (
    <>
      <button
        type="button"
        className={`button${paused ? ' primary' : ' danger'}`}
        disabled={pending}
        onClick={() =>
          run(
            () => updatePipelineAction(slug, { paused: !paused }),
            () => setDone(true),
          )
        }
      >
        {paused ? t('health.resume') : t('health.pause')}
      </button>
      {done && (
        <p role="status" className="alert success">
          {paused ? t('health.resumedDone') : t('health.pausedDone')}
        </p>
      )}
      {errorView}
    </>
  );
}

export function LimitsForm({ slug, maxConnections, ratePerMinute }: { slug: string; maxConnections: number; ratePerMinute: number | null }) {
  const t = useTranslations('pipeline');
  const { pending, run, errorView } = useActionRun();
  const [conns, setConns] = useState(String(maxConnections));
  const [rate, setRate] = useState(ratePerMinute ? String(ratePerMinute) : '');
  const [saved, setSaved] = useState(false);
  return (
    <form
      className="form inline-form"
      onSubmit={(e) => {
        e.preventDefault();
        setSaved(false);
        run(
          () => updatePipelineAction(slug, { maxConnections: Number(conns), ratePerMinute: rate.trim() ? Number(rate) : null }),
          () => setSaved(true),
        );
      }}
    >
      <div className="field">
        <label htmlFor="max-connections">{t('limits.maxConnections')}</label>
        <input id="max-connections" type="number" min={1} max={20} required value={conns} onChange={(e) => setConns(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor="rate">{t('limits.ratePerMinute')}</label>
        <input id="rate" type="number" min={1} placeholder={t('limits.unlimited')} value={rate} onChange={(e) => setRate(e.target.value)} aria-describedby="rate-help" />
        <p id="rate-help" className="help">
          {t('limits.rateHelp')}
        </p>
      </div>
      <button className="button" disabled={pending}>
        {t('limits.save')}
      </button>
      {saved && (
        <p role="status" className="muted">
          {t('limits.saved')}
        </p>
      )}
      {errorView}
    </form>
  );
}

export function RetryButton({ slug, notificationId }: { slug: string; notificationId: string | null }) {
  const t = useTranslations('pipeline');
  const { pending, run, errorView } = useActionRun();
  const [done, setDone] = useState(false);
  return (
    <>
      <button
        type="button"
        className="button subtle"
        disabled={pending}
        onClick={() =>
          run(
            () => retryDeadAction(slug, notificationId),
            () => setDone(true),
          )
        }
      >
        {notificationId ? t('deliveries.retry') : t('deliveries.retryAll')}
      </button>
      {done && (
        <span role="status" className="alert inline success">
          {t('deliveries.retried')}
        </span>
      )}
      {errorView}
    </>
  );
}

type TokenRow = { id: string; prefix: string; created: React.ReactNode; revoked: boolean };

export function PipelineTokens({ slug, tokens }: { slug: string; tokens: TokenRow[] }) {
  const t = useTranslations('pipeline');
  const { pending, run, errorView } = useActionRun();
  const [shown, setShown] = useState<string | null>(null);
  return (
    <>
      <button
        type="button"
        className="button"
        disabled={pending}
        onClick={() =>
          run(
            () => createPipelineTokenAction(slug),
            (data) => setShown(data.token),
          )
        }
      >
        {t('tokens.create')}
      </button>
      {errorView}
      {shown && (
        <div className="alert success" role="status">
          <p>{t('tokens.created')}</p>
          <code className="token" data-testid="new-pipeline-token">
            {shown}
          </code>
        </div>
      )}
      {tokens.length === 0 ? (
        <p className="empty-state">{t('tokens.none')}</p>
      ) : (
        <ul className="token-list">
          {tokens.map((x) => (
            <li key={x.id}>
              <code>{x.prefix}…</code> <span className="muted">{x.created}</span>{' '}
              {x.revoked ? (
                <span className="badge">{t('tokens.revoked')}</span>
              ) : (
                <button
                  type="button"
                  className="button subtle"
                  disabled={pending}
                  onClick={() =>
                    run(
                      () => revokePipelineTokenAction(slug, x.id),
                      () => setShown(null),
                    )
                  }
                >
                  {t('tokens.revoke')}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
