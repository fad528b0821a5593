import Link from 'next/link';
import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';
import { requirePageUser } from '@/server/auth/auth';
import { listVisibleTenants } from '@/server/tenants/list-visible-tenants';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('pipeline'))('tenants.title') };
}

/** The tenants this user may see (customers: their own; TAMs: assigned; auditors and admins: all). */
export default async function TenantsPage() {
  const user = await requirePageUser();
  const tenants = await listVisibleTenants(user);
  const t = await getTranslations('pipeline');
  return (
    <>
      <div className="page-head">
        <h1>{t('tenants.title')}</h1>
      </div>
      {tenants.length === 0 ? (
        <p className="empty-state">{t('tenants.none')}</p>
      ) : (
        <ul>
          {tenants.map((x) => (
            <li key={x.slug}>
              <Link href={`/tenants/${x.slug}`}>{x.name}</Link> <span className="muted mono">{x.slug}</span>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
