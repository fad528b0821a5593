import type { Metadata } from 'next';
import { cache } from 'react';
import { canEditStatus } from '@/lib/request-status';
import { notFound } from 'next/navigation';
import { getTranslations } from 'next-intl/server';
import { requirePageUser } from '@/server/auth/auth';
import { getRequest } from '@/server/requests/get-request';
import { can } from '@/server/authz/permissions';
import { orNotFound } from '@/server/http/page-errors';
import { requestContentOf, pickSecretFlags } from '@/lib/smtp-config-model';
import { RequestForm } from '../../../components/request-form';
import { OAUTH_SWITCH_FIELDS, oauthSwitchPreset } from '@/lib/providers';
import { updateRequestAction } from '../actions';

type Params = { id: string };

// The metadata and the page need the same request in one render: it is loaded once (React cache).
const loadRequest = cache(async (id: string) => getRequest(await requirePageUser(), id));

export async function generateMetadata({ params }: { params: Promise<Params> }): Promise<Metadata> {
  const request = await orNotFound(loadRequest((await params).id));
  return { title: (await getTranslations('requests'))('editTitle', { number: request.number }) };
}

export default async function EditRequestPage({ params, searchParams }: { params: Promise<Params>; searchParams: Promise<{ switch?: string }> }) {
  const user = await requirePageUser();
  const { id } = await params;
  const switching = (await searchParams).switch === 'oauth';
  const request = await orNotFound(loadRequest(id));
  if (!can(user.role, 'request.edit') || !canEditStatus(request.status)) notFound();
  const t = await getTranslations('requests');
  const initial = { ...requestContentOf(request), ...pickSecretFlags(request) };
  return (
    <>
      <h1>{t('editTitle', { number: request.number })}</h1>
      {switching && (
        <p className="alert info" role="status" data-testid="oauth-switch-intro">
          {t('oauthSwitch.formIntro')}
        </p>
      )}
      <RequestForm
        initial={initial}
        submitLabel="saveChanges"
        onSubmit={updateRequestAction.bind(null, id)}
        {...(switching ? { startWith: oauthSwitchPreset(request.host), highlight: OAUTH_SWITCH_FIELDS } : {})}
      />
    </>
  );
}
