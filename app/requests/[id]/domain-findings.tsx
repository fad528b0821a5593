'use client';
// The domain step's findings: each check's verdict, a plain-language explanation and the DNS record
// to add, with a copy button.
import { useState } from 'react';
import { useTranslations } from 'next-intl';
import type { DomainFinding } from '@/server/smtp/domain-types';

export function DomainFindings({ findings }: { findings: DomainFinding[] }) {
  const t = useTranslations('domainFindings');
  return (
    <ul className="domain-findings" data-testid="domain-findings">
      {findings.map((f) => (
        <li key={`${f.check}-${f.code}`} className={`finding finding-${f.result}`} data-check={f.check} data-result={f.result}>
          <strong>{t(`checks.${f.check}`)}</strong> <span className={`badge finding-${f.result}`}>{t(`results.${f.result}`)}</span>
          <p>{t(f.code, f.params)}</p>
          {f.record && <CopyableRecord record={f.record} />}
        </li>
      ))}
    </ul>
  );
}

function CopyableRecord({ record }: { record: string }) {
  const t = useTranslations('domainFindings');
  const [copied, setCopied] = useState(false);
  return (
    <div className="dns-record">
      <span className="muted">{t('recordToAdd')}</span>
      <pre>
        <code>{record}</code>
      </pre>
      <button
        type="button"
        className="secondary"
        onClick={() => {
          void navigator.clipboard?.writeText(record).then(() => setCopied(true));
        }}
      >
        {copied ? t('copied') : t('copy')}
      </button>
    </div>
  );
}
