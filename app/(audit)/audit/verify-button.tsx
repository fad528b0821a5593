'use client';
import { useState } from 'react';
import { useTranslations } from 'next-intl';

type Report = { ok: boolean; checked: number; firstBrokenSeq: number | null; checkpoints: number };

export function VerifyButton() {
  const t = useTranslations('audit');
  const [report, setReport] = useState<Report | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <div className="verify-row">
      <button
        type="button"
        className="button"
        disabled={busy}
        onClick={async () => {
          setBusy(true);
          try {
            setReport((await (await fetch('/api/v1/audit-events/verify')).json()) as Report);
          } finally {
            setBusy(false);
          }
        }}
      >
        {busy ? t('verifying') : t('verify')}
      </button>
      <span role="status" aria-live="polite">
        {report && (
          <span className={`alert inline ${report.ok ? 'success' : 'error'}`} data-testid="verify-result">
            {report.ok ? t('verified', { checked: report.checked, checkpoints: report.checkpoints }) : t('broken', { seq: report.firstBrokenSeq ?? 0 })}
          </span>
        )}
      </span>
    </div>
  );
}
