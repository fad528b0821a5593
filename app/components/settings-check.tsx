'use client';
// A customer's check of their SMTP settings (a validation, no mail): streams the steps as they happen,
// then shows the run — the diagnosis names the field to fix. Used by the request form (the settings in the
// form) and the request page (the saved settings).
import { useEffect, useRef, useState } from 'react';
import { useTranslations } from 'next-intl';
import { fetchNdjson } from '@/lib/fetch-ndjson';
import type { ProbeRunView } from '@/server/probes/probe-run-view';
import type { ProbeStep } from '@/server/smtp/types';
import { RunDetails, StepList } from './probe-run-details';

type Problem = { detail: string; code?: string; errors?: { path: string; message: string }[] };
type Message = { type: 'step'; step: ProbeStep } | { type: 'run'; run: ProbeRunView } | { type: 'error'; problem: Problem };
export type CheckOutcome = { run: ProbeRunView } | { problem: Problem };

export function useSettingsCheck() {
  const [steps, setSteps] = useState<ProbeStep[] | null>(null);
  const [run, setRun] = useState<ProbeRunView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const abort = useRef<AbortController | null>(null);
  // Leaving the page stops the check on the server too.
  useEffect(() => () => abort.current?.abort(), []);

  async function start(url: string, body: unknown): Promise<CheckOutcome | null> {
    const controller = new AbortController();
    abort.current = controller;
    setSteps([]);
    setRun(null);
    setError(null);
    let outcome: CheckOutcome | null = null;
    try {
      for await (const message of fetchNdjson<Message>(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body ?? {}),
        signal: controller.signal,
      })) {
        if (message.type === 'step') setSteps((s) => [...(s ?? []), message.step]);
        else if (message.type === 'run') {
          setRun(message.run);
          outcome = { run: message.run };
        } else {
          if (!message.problem.errors?.length) setError(message.problem.detail);
          outcome = { problem: message.problem };
        }
      }
    } catch (e) {
      if (!controller.signal.aborted) setError(e instanceof Error ? e.message : String(e));
    } finally {
      abort.current = null;
      setSteps(null);
    }
    return outcome;
  }

  return { running: steps !== null, steps, run, error, start, reset: () => (setRun(null), setError(null)) };
}

/** What a check shows while it runs and when it is done. */
export function SettingsCheckResult({
  check,
  host,
  port,
  passedKey,
}: {
  check: ReturnType<typeof useSettingsCheck>;
  host: string;
  port: string | number;
  passedKey: 'passed' | 'passedRequest';
}) {
  const t = useTranslations('check');
  const tp = useTranslations('probe');
  const td = useTranslations('diagnoses');
  const failed = check.run?.steps.find((s) => !s.ok);
  return (
    <div aria-live="polite" className="settings-check" data-testid="settings-check">
      {check.steps && (
        <>
          <p className="muted" role="status">
            <span className="spinner" aria-hidden="true" /> {t('running', { host, port })}
          </p>
          <StepList steps={check.steps} />
        </>
      )}
      {check.error && (
        <p role="alert" className="alert error">
          {check.error}
        </p>
      )}
      {check.run &&
        (check.run.ok ? (
          <p role="status" className="alert success" data-testid="check-passed">
            {t(passedKey)}
          </p>
        ) : (
          <p role="alert" className="alert error" data-testid="check-failed">
            {failed ? t('failed', { step: tp(`steps.${failed.step}`) }) : null} {failed?.hint ? td(failed.hint.code, failed.hint.params) : null}
          </p>
        ))}
      {check.run && <RunDetails run={check.run} open={!check.run.ok} bundle={false} />}
    </div>
  );
}
