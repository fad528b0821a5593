'use client';
// The customer admin's check of the saved settings while they hold the request (submitted, needs_info):
// the same validation their TAM runs, no mail sent; their earlier checks below (decision 023).
import { useRouter } from 'next/navigation';
import { useTranslations } from 'next-intl';
import type { ProbeRunView } from '@/server/probes/probe-run-view';
import { RunDetails } from '@/app/components/probe-run-details';
import { SettingsCheckResult, useSettingsCheck } from '@/app/components/settings-check';

type Props = { requestId: string; host: string; port: number; canCheck: boolean; runs: ProbeRunView[] };

export function CustomerCheckPanel({ requestId, host, port, canCheck, runs }: Props) {
  const t = useTranslations('check');
  const router = useRouter();
  const check = useSettingsCheck();
  const earlier = check.run ? runs.filter((r) => r.id !== check.run?.id) : runs;
  return (
    <section className="card" aria-labelledby="customer-check-h" data-testid="customer-checks">
      <h2 id="customer-check-h">{t('title')}</h2>
      {canCheck && (
        <>
          <p className="help">{t('introRequest')}</p>
          <button
            type="button"
            className="button"
            disabled={check.running}
            onClick={async () => {
              await check.start(`/api/v1/smtp-requests/${requestId}/check`, {});
              router.refresh();
            }}
          >
            {check.running ? t('checking') : t('buttonRequest')}
          </button>
          <SettingsCheckResult check={check} host={host} port={port} passedKey="passedRequest" />
        </>
      )}
      <h3>{t('history')}</h3>
      {earlier.length === 0 ? <p className="empty-state">{t('noChecks')}</p> : earlier.map((r) => <RunDetails key={r.id} run={r} open={false} bundle={false} />)}
    </section>
  );
}
