import Link from 'next/link';
import type { Metadata } from 'next';
import { getFormatter, getTranslations } from 'next-intl/server';
import { requirePageUser } from '@/server/auth/auth';
import { orNotFound } from '@/server/http/page-errors';
import { listTenantsByRisk } from '@/server/health/list-health';
import { HealthProblems } from './health-problems';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('healthChecks'))('pageTitle') };
}

/** The TAM's tenants by risk: failing health checks first, then warnings, then dead letters (issue 15). */
export default async function HealthPage() {
  const user = await requirePageUser();
  const tenants = await orNotFound(listTenantsByRisk(user));
  const t = await getTranslations('healthChecks');
  const format = await getFormatter();
  return (
    <>
      <div className="page-head">
        <h1>{t('pageTitle')}</h1>
      </div>
      {tenants.length === 0 ? (
        <p className="empty-state">{t('noTenants')}</p>
      ) : (
        <table data-testid="health-by-risk">
          <thead>
            <tr>
              <th scope="col">{t('tenant')}</th>
              <th scope="col">{t('status')}</th>
              <th scope="col">{t('problems')}</th>
            </tr>
          </thead>
          <tbody>
            {tenants.map((x) => (
              <tr key={x.slug}>
                <td>
                  <Link href={`/tenants/${x.slug}`}>{x.name}</Link>
                </td>
                <td>
                  {x.latest ? (
                    <>
                      <span className={`badge ${x.latest.healthy ? 'status-applied' : 'status-rejected'}`}>{x.latest.healthy ? t('healthy') : t('unhealthy')}</span>{' '}
                      <span className="muted">{format.dateTime(new Date(x.latest.checkedAt), { dateStyle: 'medium', timeStyle: 'short' })}</span>
                    </>
                  ) : (
                    <span className="muted">{t('notChecked')}</span>
                  )}
                </td>
                <td>
                  {x.latest && <HealthProblems problems={x.latest.problems} />}
                  {/* The live count of dead letters, unless the latest check already reports deliveries failing. */}
                  {x.deadLast24h > 0 && !x.latest?.problems.some((p) => p.key.startsWith('deliveries.')) && (
                    <p className="finding finding-fail">{t('deliveriesFailing', { count: x.deadLast24h })}</p>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
