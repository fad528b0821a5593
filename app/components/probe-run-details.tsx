'use client';
// One probe run as people read it: each step with its time, the server's reply and, on failure, the
// diagnosis and the field to fix; then the certificate chain and the redacted transcript. The TAM's live
// checks and the customer's own checks show runs the same way (the bundle is staff-only).
import { useTranslations } from 'next-intl';
import { Time } from '@/app/components/time';
import type { ProbeRunView } from '@/server/probes/probe-run-view';
import type { ProbeStep } from '@/server/smtp/types';
import { DomainFindings } from '@/app/requests/[id]/domain-findings';

export function StepList({ steps }: { steps: ProbeStep[] }) {
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
    </ol>
  );
}

export function RunDetails({ run, open, bundle = true }: { run: ProbeRunView; open: boolean; bundle?: boolean }) {
  const t = useTranslations('probe');
  const failed = run.steps.find((s) => !s.ok);
  // A check stopped by the TAM (or by leaving the page) is recorded with the CANCELLED diagnosis: it did not fail.
  const cancelled = !run.ok && failed?.hint?.code === 'CANCELLED';
  const verdict = run.ok ? 'ok' : cancelled ? 'cancelled' : 'failed';
  return (
    <details className={`run ${verdict}`} open={open} data-testid="probe-run" data-run-id={run.id}>
      <summary>
        <span className={`badge ${run.ok ? 'status-applied' : cancelled ? 'status-withdrawn' : 'status-rejected'}`}>
          {run.ok ? t('ok') : cancelled ? t('cancelledBadge') : t('fail')}
        </span>{' '}
        {t(`kinds.${run.kind}`)} · {run.byCustomer && <>{t('byCustomer')} · </>}
        <Time value={run.startedAt} seconds /> · {run.durationMs} ms ·{' '}
        <span className={run.matchesCurrentConfig ? 'muted' : 'outdated'}>{run.matchesCurrentConfig ? t('matches') : t('outdated')}</span>
      </summary>
      <p>
        {run.ok
          ? t('passed', { ms: run.durationMs })
          : cancelled
            ? t('cancelledAt', { step: t(`steps.${failed.step}`) })
            : failed
              ? t('failedAt', { step: t(`steps.${failed.step}`) })
              : null}
      </p>
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
      {bundle && (
        <a className="button" href={`/api/v1/probe-runs/${run.id}/bundle`} download>
          {t('bundle')}
        </a>
      )}
    </details>
  );
}
