'use client';
// Runs a server action from a button: pending while it runs, and its error (translated by code) to show.
import { useState, useTransition } from 'react';
import { useTranslations } from 'next-intl';

type Result<T> = { ok: true; data: T } | { ok: false; code: string };

export function useActionRun() {
  const te = useTranslations('errors');
  const [pending, start] = useTransition();
  const [error, setError] = useState<string | null>(null);
  const run = <T,>(work: () => Promise<Result<T>>, onOk?: (data: T) => void) =>
    start(async () => {
      const r = await work();
      if (r.ok) {
        setError(null);
        onOk?.(r.data);
      } else setError(te(r.code as 'INTERNAL'));
    });
  const errorView = error ? (
    <p role="alert" className="alert error">
      {error}
    </p>
  ) : null;
  return { pending, run, errorView };
}
