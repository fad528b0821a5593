'use client';
// Runs a server action from a button: pending while it runs, and its error to show. The error is kept as its
// code and translated when shown, so switching the language translates a message already on screen.
import { useState, useTransition } from 'react';
import { useTranslations } from 'next-intl';

type Result<T> = { ok: true; data: T } | { ok: false; code: string };

export function useActionRun() {
  const te = useTranslations('errors');
  const [pending, start] = useTransition();
  const [error, setError] = useState<string | null>(null);
  const message = error ? te(error as 'INTERNAL') : null;
  const run = <T,>(work: () => Promise<Result<T>>, onOk?: (data: T) => void) =>
    start(async () => {
      const r = await work();
      if (r.ok) {
        setError(null);
        onOk?.(r.data);
      } else setError(r.code);
    });
  const errorView = message ? (
    <p role="alert" className="alert error">
      {message}
    </p>
  ) : null;
  return { pending, run, errorView };
}
