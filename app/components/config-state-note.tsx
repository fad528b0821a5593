import Link from 'next/link';
import { getTranslations } from 'next-intl/server';
import type { RequestConfigState } from '@/server/config-versions/request-config-state';
import { Time } from './time';

/** On an applied request: is its configuration still the one in use, and if not, what replaced it. */
export async function ConfigStateNote({ state, tenantSlug }: { state: RequestConfigState; tenantSlug: string }) {
  const t = await getTranslations('customer.configState');
  const versions = <Link href={`/tenants/${tenantSlug}`}>{t('seeVersions')}</Link>;
  switch (state.state) {
    case 'live':
      return (
        <p className="alert success" data-testid="config-state">
          {t('live', { version: state.version })} <Time value={state.appliedAt} relative /> · {versions}
        </p>
      );
    case 'replaced':
      return (
        <p className="alert warning" data-testid="config-state">
          {t('replaced', { version: state.version, newVersion: state.by.version })}{' '}
          {state.by.requestId && state.by.requestNumber ? (
            <>
              {t('replacedBy')} <Link href={`/requests/${state.by.requestId}`}>{state.by.requestNumber}</Link>
            </>
          ) : null}{' '}
          (<Time value={state.by.at} relative />) · {versions}
        </p>
      );
    case 'rolled-back':
      return (
        <p className="alert warning" data-testid="config-state">
          {t(state.by.automatic ? 'rolledBackAuto' : 'rolledBack', { version: state.version, to: state.by.to ?? '?' })} (<Time value={state.by.at} relative />) · {versions}
        </p>
      );
    case 'not-live':
      return (
        <p className="alert warning" data-testid="config-state">
          {t('notLive', { version: state.version })} · {versions}
        </p>
      );
  }
}
