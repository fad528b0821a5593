import { getTranslations } from 'next-intl/server';

export async function StatusBadge({ status }: { status: string }) {
  const t = await getTranslations('statuses');
  return <span className={`badge status-${status}`}>{t(status as 'submitted')}</span>;
}
