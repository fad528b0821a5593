'use client';
// A button for a change that asks first, in the page (not a browser dialog): the question with Confirm and
// Cancel, focus on Confirm; then the result, announced in the page's flash region (it outlives this button,
// whose row may disappear with the change), or the error here (role=alert).
import { useEffect, useRef, useState, useTransition } from 'react';
import { useTranslations } from 'next-intl';
import { useFlash } from './flash';

type Result<T> = { ok: true; data: T } | { ok: false; code: string };

type Props<T> = {
  label: string;
  question: string;
  confirmLabel: string;
  onConfirm: () => Promise<Result<T>>;
  done: (data: T) => string;
  className?: string;
  /** When the visible label is a symbol (×): what the button does, for screen readers. */
  ariaLabel?: string;
};

export function ConfirmButton<T>({ label, question, confirmLabel, onConfirm, done, className = 'button', ariaLabel }: Props<T>) {
  const tc = useTranslations('common');
  const te = useTranslations('errors');
  const [asking, setAsking] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [pending, start] = useTransition();
  const flash = useFlash();
  const confirmRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (asking) confirmRef.current?.focus();
  }, [asking]);
  return (
    <span className="confirm-button">
      {asking ? (
        <span className="confirm-ask" role="group" aria-label={question}>
          <span>{question}</span>{' '}
          <button
            ref={confirmRef}
            type="button"
            className="button primary"
            disabled={pending}
            onClick={() =>
              start(async () => {
                const r = await onConfirm();
                setAsking(false);
                if (r.ok) flash(done(r.data));
                else setMessage({ ok: false, text: te(r.code as 'INTERNAL') });
              })
            }
          >
            {confirmLabel}
          </button>{' '}
          <button type="button" className="button subtle" disabled={pending} onClick={() => setAsking(false)}>
            {tc('cancel')}
          </button>
        </span>
      ) : (
        <button
          type="button"
          className={className}
          aria-label={ariaLabel}
          onClick={() => {
            setMessage(null);
            flash('');
            setAsking(true);
          }}
        >
          {label}
        </button>
      )}
      {message && (
        <span role={message.ok ? 'status' : 'alert'} className={`alert inline ${message.ok ? 'success' : 'error'}`}>
          {message.text}
        </span>
      )}
    </span>
  );
}
