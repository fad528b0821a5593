'use client';
// The TAM's live checks: streams the SMTP steps as they happen (NDJSON), can cancel, and shows the
// diagnosis, the transcript and the certificate chain of each run.
import { useEffect, useRef, useState } from 'react';
import { useRouter } from 'next/navigation';
import { useTranslations } from 'next-intl';
import type { ProbeRunView } from '@/server/probes/probe-run-view';
import type { ProbeStep } from '@/server/smtp/types';
import { fetchNdjson } from '@/lib/fetch-ndjson';
import { RunDetails, StepList } from '@/app/components/probe-run-details';

type Props = {
  requestId: string;
  host: string;
  port: number;
  testRecipient: string;
  myEmail: string;
  closedReason: 'takeFirst' | 'waitingOnCustomer' | 'finished' | null;
  runs: ProbeRunView[];
  encryption: string;
  authMethod: string;
  /** How long a check may take in all: a step still waiting shows it as its deadline. */
  timeoutMs: number;
  /** The TAM's next step on the request's path: its button is the primary one. */
  next?: 'validate' | 'test' | null;
};
type Live = { kind: 'validate' | 'test-send'; steps: ProbeStep[]; startedAt: number; lastAt: number };

/** The steps a check goes through in order, to name the one the server is keeping us waiting on. */
function expectedSteps(kind: Live['kind'], encryption: string, authMethod: string): string[] {
  const tls =
    encryption === 'tls' ? ['connect', 'tls', 'greeting', 'ehlo'] : encryption === 'starttls' ? ['connect', 'greeting', 'ehlo', 'starttls'] : ['connect', 'greeting', 'ehlo'];
  return [
    ...(authMethod === 'oauth2' ? ['token'] : []),
    'dns',
    ...tls,
    ...(authMethod === 'none' ? [] : ['auth']),
    'mail',
    'rcpt',
    ...(kind === 'validate' ? ['relay'] : ['data']),
    'quit',
    'domain',
  ];
}
type Message = { type: 'step'; step: ProbeStep } | { type: 'run'; run: ProbeRunView } | { type: 'error'; problem: { detail: string } };

export function ProbePanel({ requestId, host, port, testRecipient, myEmail, closedReason, runs, encryption, authMethod, timeoutMs, next = 'validate' }: Props) {
  const t = useTranslations('probe');
  const router = useRouter();
  const [live, setLive] = useState<Live | null>(null);
  const [latest, setLatest] = useState<ProbeRunView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [cancelled, setCancelled] = useState(false);
  const [to, setTo] = useState(testRecipient);
  const abort = useRef<AbortController | null>(null);
  // Leaving the page stops the work on the server too (it watches the request's signal).
  useEffect(() => () => abort.current?.abort(), []);

  async function run(kind: Live['kind']) {
    const controller = new AbortController();
    abort.current = controller;
    setLive({ kind, steps: [], startedAt: Date.now(), lastAt: Date.now() });
    setLatest(null);
    setError(null);
    setCancelled(false);
    try {
      for await (const message of fetchNdjson<Message>(`/api/v1/smtp-requests/${requestId}/${kind}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(kind === 'test-send' ? { to } : {}),
        signal: controller.signal,
      })) {
        if (message.type === 'step') setLive((l) => (l ? { ...l, steps: [...l.steps, message.step], lastAt: Date.now() } : l));
        else if (message.type === 'run') setLatest(message.run);
        else setError(message.problem.detail);
      }
      router.refresh();
    } catch (e) {
      // Cancelling is the TAM's choice, not a failure: it reads as such.
      if (controller.signal.aborted) setCancelled(true);
      else setError(t('error', { message: e instanceof Error ? e.message : String(e) }));
    } finally {
      abort.current = null;
      setLive(null);
    }
  }

  const running = live !== null;
  const earlier = latest ? runs.filter((r) => r.id !== latest.id) : runs;
  return (
    <section className="card probe-panel" aria-labelledby="probe-h">
      <h2 id="probe-h">{t('title')}</h2>
      <p className="muted">{t('intro')}</p>
      {closedReason ? (
        <p className="alert info">{t(`closed.${closedReason}`)}</p>
      ) : (
        <div className="probe-controls">
          <button type="button" id="probe-validate" className={`button${next === 'validate' ? ' primary' : ''}`} disabled={running} onClick={() => run('validate')}>
            {t('validate')}
          </button>
          <fieldset className="send-to" disabled={running}>
            <legend className="visually-hidden">{t('sendTo')}</legend>
            <label className="checkbox">
              <input type="radio" name="probe-to" checked={to === testRecipient} onChange={() => setTo(testRecipient)} /> {t('toTestRecipient', { address: testRecipient })}
            </label>
            <label className="checkbox">
              <input type="radio" name="probe-to" checked={to === myEmail} onChange={() => setTo(myEmail)} /> {t('toMe', { address: myEmail })}
            </label>
          </fieldset>
          <button type="button" id="probe-test-send" className={`button${next === 'test' ? ' primary' : ''}`} disabled={running} onClick={() => run('test-send')}>
            {t('testSend')}
          </button>
          {running && (
            <button type="button" className="button danger" onClick={() => abort.current?.abort()}>
              {t('cancel')}
            </button>
          )}
        </div>
      )}
      <div aria-live="polite">
        {live && (
          <>
            <p className="muted" role="status">
              <span className="spinner" aria-hidden="true" /> {t('running', { host, port })}
            </p>
            <StepList steps={live.steps} />
            <Waiting live={live} next={nextStep(live, expectedSteps(live.kind, encryption, authMethod))} timeoutMs={timeoutMs} />
          </>
        )}
        {cancelled && (
          <p role="status" className="alert info" data-testid="probe-cancelled">
            {t('cancelledNothing')}
          </p>
        )}
        {error && (
          <p role="alert" className="alert error">
            {error}
          </p>
        )}
        {latest && <RunDetails run={latest} open />}
      </div>
      <h3>{t('history')}</h3>
      {/* The run just shown above is not repeated here. */}
      <div data-testid="probe-history">
        {earlier.length === 0 ? <p className="empty-state">{latest ? t('noEarlierRuns') : t('noRuns')}</p> : earlier.map((r) => <RunDetails key={r.id} run={r} open={false} />)}
      </div>
    </section>
  );
}

function nextStep(live: Live, expected: string[]): string | null {
  const last = live.steps.at(-1)?.step;
  if (!last) return expected[0] ?? null;
  const i = expected.indexOf(last);
  return i >= 0 ? (expected[i + 1] ?? null) : null;
}

/** The step the server is keeping us waiting on: its name, how long so far, and when the check gives up. */
function Waiting({ live, next, timeoutMs }: { live: Live; next: string | null; timeoutMs: number }) {
  const t = useTranslations('probe');
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(timer);
  }, []);
  const waited = Math.max(0, Math.floor((now - live.lastAt) / 1000));
  const total = Math.max(0, Math.floor((now - live.startedAt) / 1000));
  const step = next && t.has(`steps.${next}`) ? t(`steps.${next}` as 'steps.dns') : t('nextStep');
  return (
    <p className="waiting-step" data-testid="probe-waiting">
      <span className="spinner" aria-hidden="true" /> <strong>{t('waitingFor', { step })}</strong>{' '}
      <span className="muted">{t('waitingTime', { seconds: waited, total, deadline: Math.round(timeoutMs / 1000) })}</span>
    </p>
  );
}
