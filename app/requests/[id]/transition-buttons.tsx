'use client';
import { useState, useTransition } from 'react';
import { useTranslations } from 'next-intl';
import { transitionAction } from './actions';

type Target = 'in_review' | 'needs_info' | 'rejected' | 'withdrawn';
const LABEL: Record<Target, 'take' | 'askInfo' | 'reject' | 'withdraw'> = { in_review: 'take', needs_info: 'askInfo', rejected: 'reject', withdrawn: 'withdraw' };
const NEEDS_REASON: Target[] = ['needs_info', 'rejected'];

/** askInfoDraft: the question pre-filled from the failed check's diagnosis, in the customer's language. */
export function TransitionButtons({
  requestId,
  transitions,
  takeIsPrimary = true,
  askInfoDraft,
}: {
  requestId: string;
  transitions: Target[];
  takeIsPrimary?: boolean;
  askInfoDraft?: string | null;
}) {
  const t = useTranslations('requests');
  const root = useTranslations();
  const [done, setDone] = useState<Target | null>(null);
  const [open, setOpen] = useState<Target | null>(null);
  const [reason, setReason] = useState('');
  // Message keys, translated when shown.
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();

  function run(to: Target, comment?: string) {
    startTransition(async () => {
      const result = await transitionAction(requestId, { to, comment });
      if (result.ok) {
        setOpen(null);
        setReason('');
        setError(null);
        setDone(to);
      } else {
        setError(result.errors.comment ? 'requests.reasonRequired' : `errors.${result.code}`);
      }
    });
  }

  return (
    <div className="transition-bar">
      <div className="button-row">
        {transitions.map((to) => (
          <button
            key={to}
            type="button"
            className={`button${to === 'in_review' && takeIsPrimary ? ' primary' : to === 'rejected' || to === 'withdrawn' ? ' danger' : ''}`}
            disabled={pending}
            aria-expanded={NEEDS_REASON.includes(to) ? open === to : undefined}
            onClick={() => {
              if (NEEDS_REASON.includes(to)) {
                // Asking for information starts from the failed check's diagnosis, unless the TAM already wrote something.
                if (to === 'needs_info' && askInfoDraft && !reason.trim()) setReason(askInfoDraft);
                return setOpen(open === to ? null : to);
              }
              setDone(null);
              if (to === 'withdrawn' && !window.confirm(t('withdrawConfirm'))) return;
              run(to);
            }}
          >
            {t(LABEL[to])}
          </button>
        ))}
      </div>
      {open && (
        <form
          className="form reason-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (!reason.trim()) return setError('requests.reasonRequired');
            run(open, reason);
          }}
        >
          <div className={`field${error ? ' invalid' : ''}`}>
            <label htmlFor="reason">{t('reasonLabel')}</label>
            {open === 'needs_info' && askInfoDraft && reason === askInfoDraft && (
              <p className="help" data-testid="ask-info-prefilled">
                {t('askInfoPrefilled')}
              </p>
            )}
            <textarea
              id="reason"
              rows={3}
              value={reason}
              autoFocus
              onChange={(e) => setReason(e.target.value)}
              aria-invalid={error ? true : undefined}
              aria-describedby={error ? 'reason-error' : undefined}
            />
            {error && (
              <p id="reason-error" className="field-error">
                {root(error as 'errors.INTERNAL')}
              </p>
            )}
          </div>
          <button type="submit" className="button primary" disabled={pending}>
            {t('send')}
          </button>
        </form>
      )}
      {error && !open && (
        <p role="alert" className="alert error">
          {root(error as 'errors.INTERNAL')}
        </p>
      )}
      {done && (
        <p role="status" className="alert success">
          {t(`transitioned.${done}`)}
        </p>
      )}
    </div>
  );
}
