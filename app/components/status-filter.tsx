import { getTranslations } from 'next-intl/server';
import { REQUEST_STATUSES } from '@/lib/smtp-request-schema';

/** A plain GET form: works without JavaScript, keeps the filter in the URL (shareable, back button). */
export async function StatusFilter({
  current,
  action,
  tenants,
  currentTenant,
}: {
  current: string;
  action: string;
  tenants?: { slug: string; name: string }[];
  currentTenant?: string;
}) {
  const t = await getTranslations('requests');
  const ts = await getTranslations('statuses');
  const tc = await getTranslations('common');
  return (
    <form method="get" action={action} className="filters">
      <label>
        {t('statusFilter')}{' '}
        <select name="status" defaultValue={current}>
          <option value="">{tc('all')}</option>
          {REQUEST_STATUSES.map((s) => (
            <option key={s} value={s}>
              {ts(s)}
            </option>
          ))}
        </select>
      </label>
      {tenants && (
        <label>
          {t('tenantFilter')}{' '}
          <select name="tenant" defaultValue={currentTenant ?? ''}>
            <option value="">{tc('all')}</option>
            {tenants.map((x) => (
              <option key={x.slug} value={x.slug}>
                {x.name}
              </option>
            ))}
          </select>
        </label>
      )}
      <button type="submit" className="button">
        {tc('filter')}
      </button>
    </form>
  );
}
