// The tenant page's daily health check: the latest result and the history (issue 15).
import { getFormatter, getTranslations } from 'next-intl/server';
import type { HealthCheckView } from '@/server/health/list-health';
import { HealthProblems } from '../../health/health-problems';

export async function HealthChecks({ checks }: { checks: HealthCheckView[] }) {
  const t = await getTranslations('healthChecks');
  const format = await getFormatter();
  const when = (iso: string) => format.dateTime(new Date(iso), { dateStyle: 'medium', timeStyle: 'short' });
  const [latest, ...history] = checks;
  return (
    <section aria-labelledby="health-checks-h" className="card" data-testid="health-checks">
      <h2 id="health-checks-h">{t('title')}</h2>
      {!latest ? (
        <p className="empty-state">{t('none')}</p>
      ) : (
        <>
          <p>
            <span className={`badge ${latest.healthy ? 'status-applied' : 'status-rejected'}`}>{latest.healthy ? t('healthy') : t('unhealthy')}</span>{' '}
            {t('checkedAt', { when: when(latest.checkedAt), version: latest.version })}
          </p>
          <HealthProblems problems={latest.problems} />
          {history.length > 0 && (
            <details>
              <summary>{t('history')}</summary>
              <ul>
                {history.map((c) => (
                  <li key={c.id}>
                    {when(c.checkedAt)} · {c.healthy ? t('healthy') : t('unhealthy')} · {t('problemCount', { count: c.problems.length })}
                  </li>
                ))}
              </ul>
            </details>
          )}
        </>
      )}
    </section>
  );
}
