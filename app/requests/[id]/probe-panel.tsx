'use client';
// The TAM's live checks: streams the SMTP steps as they happen (NDJSON), can cancel, and shows the
// diagnosis, the transcript and the certificate chain of each run.
import { useEffect, useRef, useState } from 'react';
import { useRouter } from 'next/navigation';
import { useFormatter, useTranslations } from 'next-intl';
import type { ProbeRunView } from '@/server/probes/probe-run-view';
import type { ProbeStep } from '@/server/smtp/types';
import { fetchNdjson } from '@/lib/fetch-ndjson';
import { DomainFindings } from './domain-findings';

type Props = { requestId: string; host: string; port: number; testRecipient: string; myEmail: string; closedReason: 'takeFirst' | 'waitingOnCustomer' | 'finished' | null; runs: ProbeRunView[] };
type Live = { kind: 'validate' | 'test-send'; steps: ProbeStep[] };
type Message = { type: 'step'; step: ProbeStep } | { type: 'run'; run: ProbeRunView } | { type: 'error'; problem: { detail: string } };

export function ProbePanel({ requestId, host, port, testRecipient, myEmail, closedReason, runs }: Props) {
  const t = useTranslations('probe');
  const router = useRouter();
  const [live, setLive] = useState<Live | null>(null);
  const [latest, setLatest] = useState<ProbeRunView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [to, setTo] = useState(testRecipient);
  const abort = useRef<AbortController | null>(null);
  // Leaving the page stops the work on the server too (it watches the request's signal).
  useEffect(() => () => abort.current?.abort(), []);

  async function run(kind: Live['kind']) {
    const controller = new AbortController();
    abort.current = controller;
    setLive({ kind, steps: [] });
    setLatest(null);
    setError(null);
    try {
      for await (const message of fetchNdjson<Message>(`/api/v1/smtp-requests/${requestId}/${kind}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(kind === 'test-send' ? { to } : {}),
        signal: controller.signal,
      })) {
        if (message.type === 'step') setLive((l) => (l ? { ...l, steps: [...l.steps, message.step] } : l));
        else if (message.type === 'run') setLatest(message.run);
        else setError(message.problem.detail);
      }
      router.refresh();
    } catch (e) {
      setError(controller.signal.aborted ? t('cancelled') : t('error', { message: e instanceof Error ? e.message : String(e) }));
    } finally {
      abort.current = null;
      setLive(null);
    }
  }

  const running = live !== null;
  return (
    <section className="card probe-panel" aria-labelledby="probe-h">
      <h2 id="probe-h">{t('title')}</h2>
      <p className="muted">{t('intro')}</p>
      {closedReason ? (
        <p className="alert info">{t(`closed.${closedReason}`)}</p>
      ) : (
        <div className="probe-controls">
          <button type="button" className="button primary" disabled={running} onClick={() => run('validate')}>
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
          <button type="button" className="button" disabled={running} onClick={() => run('test-send')}>
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
            <StepList steps={live.steps} pending />
          </>
        )}
        {error && (
          <p role="alert" className="alert error">
            {error}
          </p>
        )}
        {latest && <RunDetails run={latest} open />}
      </div>
      <h3>{t('history')}</h3>
      {runs.length === 0 ? <p className="empty-state">{t('noRuns')}</p> : runs.map((r) => <RunDetails key={r.id} run={r} open={false} />)}
    </section>
  );
}

function StepList({ steps, pending = false }: { steps: ProbeStep[]; pending?: boolean }) {
  const t = useTranslations('probe');
  const td = useTranslations('diagnoses');
  const tf = useTranslations('fields');
  return (
    <ol className="steps" data-testid="probe-steps">
      {steps.map((s, i) => (
        <li key={i} className={s.ok ? 'ok' : 'failed'} data-step={s.step}>
          <span className="step-icon" aria-hidden="true">
            {s.ok ? '✓' : '✗'}
          </span>
          <strong>{t(`steps.${s.step}`)}</strong> <span className="muted">{s.ms} ms</span>
          {s.reply && <code className="reply">{s.reply.split('\n')[0]}</code>}
          {s.hint && (
            <div className="diagnosis">
              <p>{td(s.hint.code, s.hint.params)}</p>
              {s.field && <p className="field-to-fix">{t('fieldToFix', { field: tf(s.field) })}</p>}
            </div>
          )}
          {s.findings && <DomainFindings findings={s.findings} />}
        </li>
      ))}
      {pending && (
        <li className="pending" aria-hidden="true">
          <span className="step-icon">…</span>
        </li>
      )}
    </ol>
  );
}

function RunDetails({ run, open }: { run: ProbeRunView; open: boolean }) {
  const t = useTranslations('probe');
  const format = useFormatter();
  const failed = run.steps.find((s) => !s.ok);
  return (
    <details className={`run ${run.ok ? 'ok' : 'failed'}`} open={open} data-testid="probe-run">
      <summary>
        <span className={`badge ${run.ok ? 'status-applied' : 'status-rejected'}`}>{run.ok ? t('ok') : t('fail')}</span> {t(`kinds.${run.kind}`)} ·{' '}
        {format.dateTime(new Date(run.startedAt), { dateStyle: 'medium', timeStyle: 'medium' })} · {run.durationMs} ms ·{' '}
        <span className={run.matchesCurrentConfig ? 'muted' : 'outdated'}>{run.matchesCurrentConfig ? t('matches') : t('outdated')}</span>
      </summary>
      <p>{run.ok ? t('passed', { ms: run.durationMs }) : failed ? t('failedAt', { step: t(`steps.${failed.step}`) }) : null}</p>
      <StepList steps={run.steps} />
      {run.finalReply && (
        <p>
          {t('finalReply')}: <code>{run.finalReply}</code>
          {run.messageId && (
            <>
              {' '}
              · {t('messageId')}: <code>{run.messageId}</code>
            </>
          )}
        </p>
      )}
      {run.capabilities && (
        <p>
          {t('capabilities')}: <code>{run.capabilities.join(' · ')}</code>
        </p>
      )}
      {run.tls && (
        <div>
          <h4>{t('certificate')}</h4>
          <p className="muted">{t('tlsSummary', { protocol: run.tls.protocol, cipher: run.tls.cipher })}</p>
          <ol className="cert-chain">
            {run.tls.certificates.map((c, i) => (
              <li key={i}>
                <dl className="details">
                  <div>
                    <dt>{t('subject')}</dt>
                    <dd>{c.subject}</dd>
                  </div>
                  <div>
                    <dt>{t('names')}</dt>
                    <dd>{c.subjectAltNames.join(', ') || '—'}</dd>
                  </div>
                  <div>
                    <dt>{t('issuer')}</dt>
                    <dd>{c.issuer}</dd>
                  </div>
                  <div>
                    <dt>{t('validTo')}</dt>
                    <dd>{c.validTo}</dd>
                  </div>
                </dl>
              </li>
            ))}
          </ol>
        </div>
      )}
      <h4>{t('transcript')}</h4>
      <p className="help">{t('transcriptHelp')}</p>
      <pre className="transcript" data-testid="transcript" tabIndex={0} aria-label={t('transcript')}>
        {run.transcript.map((l) => `${String(l.at).padStart(5)} ms ${l.dir === '*' ? ' *' : `${l.dir}:`} ${l.text}`).join('\n')}
      </pre>
      <a className="button" href={`/api/v1/probe-runs/${run.id}/bundle`} download>
        {t('bundle')}
      </a>
    </details>
  );
}
