'use client';
// Verifies the whole chain, showing how many events are checked as it goes (a million take seconds);
// the walk can be cancelled, which stops it on the server too.
import { useEffect, useRef, useState } from 'react';
import { useTranslations } from 'next-intl';
import { fetchNdjson } from '@/lib/fetch-ndjson';

type Report = { ok: boolean; checked: number; firstBrokenSeq: number | null; checkpoints: number; reason?: 'checkpoints-of-another-database' };
type Progress = { checked: number; total: number };
type Message = { type: 'progress'; progress: Progress } | { type: 'report'; report: Report } | { type: 'error'; problem: { detail: string } };

export function VerifyButton() {
  const t = useTranslations('audit');
  const [report, setReport] = useState<Report | null>(null);
  const [progress, setProgress] = useState<Progress | null>(null);
  const [error, setError] = useState<string | null>(null);
  const abort = useRef<AbortController | null>(null);
  // Leaving the page stops the work on the server too (it watches the request's signal).
  useEffect(() => () => abort.current?.abort(), []);
  const busy = progress !== null;

  async function verify() {
    const controller = new AbortController();
    abort.current = controller;
    setReport(null);
    setError(null);
    setProgress({ checked: 0, total: 0 });
    try {
      for await (const message of fetchNdjson<Message>('/api/v1/audit-events/verify', { signal: controller.signal })) {
        if (message.type === 'progress') setProgress(message.progress);
        else if (message.type === 'report') setReport(message.report);
        else setError(t('verifyFailed', { message: message.problem.detail }));
      }
    } catch (e) {
      setError(controller.signal.aborted ? t('verifyCancelled') : t('verifyFailed', { message: e instanceof Error ? e.message : String(e) }));
    } finally {
      abort.current = null;
      setProgress(null);
    }
  }

  return (
    <div className="verify-row">
      <button type="button" className="button" disabled={busy} onClick={verify}>
        {busy ? t('verifying') : t('verify')}
      </button>
      {busy && (
        <>
          <progress max={Math.max(progress.total, 1)} value={progress.checked} aria-label={t('verifyProgressLabel')} />
          <span className="muted">{t('verifyProgress', { checked: progress.checked, total: progress.total })}</span>
          <button type="button" className="button subtle" onClick={() => abort.current?.abort()}>
            {t('verifyCancel')}
          </button>
        </>
      )}
      <span role="status" aria-live="polite">
        {report && (
          <span className={`alert inline ${report.ok ? 'success' : 'error'}`} data-testid="verify-result">
            {report.ok
              ? t('verified', { checked: report.checked, checkpoints: report.checkpoints })
              : report.reason === 'checkpoints-of-another-database'
                ? t('checkpointsOfAnotherDatabase')
                : t('broken', { seq: report.firstBrokenSeq ?? 0 })}
          </span>
        )}
        {error && <span className="alert inline error">{error}</span>}
      </span>
    </div>
  );
}
