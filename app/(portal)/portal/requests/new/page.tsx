import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { getTranslations } from 'next-intl/server';
import { requirePageUser } from '@/server/auth/auth';
import { can } from '@/server/authz/permissions';
import { RequestForm } from '../../../../components/request-form';
import { createRequestAction } from './actions';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('requests'))('newTitle') };
}

export default async function NewRequestPage() {
  const user = await requirePageUser();
  if (!can(user.role, 'request.create')) notFound();
  const t = await getTranslations('requests');
  return (
    <>
      <h1>{t('newTitle')}</h1>
      <RequestForm submitLabel="submit" onSubmit={createRequestAction} />
    </>
  );
}
