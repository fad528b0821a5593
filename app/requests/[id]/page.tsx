import Link from 'next/link';
import type { Metadata } from 'next';
import { cache } from 'react';
import { getTranslations } from 'next-intl/server';
import { Time } from '@/app/components/time';
import { requirePageUser } from '@/server/auth/auth';
import { getRequest } from '@/server/requests/get-request';
import { listComments } from '@/server/requests/comments';
import { requestTimeline } from '@/server/requests/request-timeline';
import { allowedTransitions } from '@/server/requests/transition-request';
import { can } from '@/server/authz/permissions';
import { orNotFound } from '@/server/http/page-errors';
import { portEncryptionWarning } from '@/lib/smtp-request-schema';
import { StatusBadge } from '../../components/status-badge';
import { CommentForm } from './comment-form';
import { TransitionButtons } from './transition-buttons';
import { ProbePanel } from './probe-panel';
import { ApplyButton } from './apply-button';
import { applyGateFor } from '@/server/config-versions/apply-gate';
import { listProbeRuns } from '@/server/probes/list-probe-runs';
import { canCheckStatus, canEditStatus, probeClosedReason } from '@/lib/request-status';
import { listCustomerChecks } from '@/server/probes/list-probe-runs';
import { askInfoDraft } from '@/server/requests/ask-info-draft';
import { tamPath } from '@/server/requests/tam-path';
import { TamPath } from './tam-path';
import { CustomerCheckPanel } from './customer-check-panel';
import { probeSettings } from '@/server/probes/probe-settings';
import { getSmtpConfig } from '@/server/config-versions/list-config-versions';
import { requestConfigState } from '@/server/config-versions/request-config-state';
import { listTenantAdmins } from '@/server/tenants/tenant-admins';
import { ConfigStateNote } from '../../components/config-state-note';
import { MemberNote } from '../../components/member-note';
import { oauthSwitchFor } from '@/server/requests/oauth-switch';
import { certificateExpiry } from '@/server/oauth/credential-expiry';

type Params = { id: string };

// The metadata and the page need the same request in one render: it is loaded once (React cache).
const loadRequest = cache(async (id: string) => getRequest(await requirePageUser(), id));

export async function generateMetadata({ params }: { params: Promise<Params> }): Promise<Metadata> {
  const request = await orNotFound(loadRequest((await params).id));
  return { title: request.number };
}

export default async function RequestPage({ params, searchParams }: { params: Promise<Params>; searchParams: Promise<{ done?: string }> }) {
  const user = await requirePageUser();
  const { id } = await params;
  const [request, comments, timeline] = await orNotFound(Promise.all([loadRequest(id), listComments(user, id), requestTimeline(user, id)]));
  const t = await getTranslations('requests');
  const tf = await getTranslations('fields');
  const tc = await getTranslations('common');
  const ts = await getTranslations('statuses');
  const when = (iso: string) => <Time value={iso} relative />;
  const editable = can(user.role, 'request.edit') && canEditStatus(request.status);
  const transitions = allowedTransitions(user, request.status);
  const warning = portEncryptionWarning(request.port, request.encryption);
  const probeRuns = can(user.role, 'probe.read') ? await listProbeRuns(user, id) : null;
  const applyGate = await applyGateFor(user, id);
  const probeClosed = can(user.role, 'request.probe') ? probeClosedReason(request.status) : 'finished';
  const config = request.status === 'applied' ? await getSmtpConfig(user, request.tenant).catch(() => null) : null;
  const configState = config ? requestConfigState(config.versions, config.active, request.id) : null;
  const customer = user.role === 'customer-admin' || user.role === 'customer-member';
  const { done } = await searchParams;
  const tn = await getTranslations('customer.nextStep');
  const admins = user.role === 'customer-member' ? await listTenantAdmins(user) : null;
  // Microsoft 365 refused the password with 550 5.7.30: the customer switches the request to OAuth in one click.
  const oauthSwitch = customer ? await oauthSwitchFor(user, id) : null;
  const tsw = await getTranslations('requests.oauthSwitch');
  // The TAM's path (Take → Validate → Test → Apply): the next possible step is the primary button.
  const path = can(user.role, 'request.review') ? tamPath(request.status, applyGate) : null;
  const next = path?.find((s) => s.state === 'next')?.step ?? null;
  const askInfo = await askInfoText(await askInfoDraft(user, id));
  // A customer admin checks the saved settings while they hold the request, and reads their own checks.
  const checks = can(user.role, 'request.check') ? await listCustomerChecks(user, id) : null;

  const rows: [string, React.ReactNode][] = [
    [
      tf('host'),
      <span key="host" className="mono">
        {request.host}
      </span>,
    ],
    [tf('port'), request.port],
    [tf('encryption'), tf(`encryptionOptions.${request.encryption}` as 'encryptionOptions.none')],
    [tf('authMethod'), tf(`authMethodOptions.${request.authMethod}` as 'authMethodOptions.none')],
    [tf('username'), request.username || '—'],
    ...oauthRows(request, tf, (set) => (set ? t('passwordState.set') : t('passwordState.notSet'))),
    ...certificateRow(request.oauthCertificate, t),
    ...(request.encryption === 'none' && request.authMethod !== 'none' && request.authMethod !== 'oauth2'
      ? [[tf('plaintextAuthAcknowledged'), request.plaintextAuthAcknowledged ? tc('yes') : tc('no')] as [string, React.ReactNode]]
      : []),
    [tf('heloDomain'), request.heloDomain || '—'],
    [tf('noReplyAddress'), request.noReplyName ? `${request.noReplyName} <${request.noReplyAddress}>` : request.noReplyAddress],
    [tf('supportContact'), request.supportContact || '—'],
    [tf('testRecipient'), request.testRecipient],
    [
      tf('notes'),
      request.notes ? (
        <span key="notes" className="pre">
          {request.notes}
        </span>
      ) : (
        '—'
      ),
    ],
    [t('assignee'), request.assignee?.name ?? t('unassigned')],
    [
      t('fingerprint'),
      <span key="fp">
        <code>{request.fingerprint}</code>
        <span className="hint">{t('fingerprintHelp')}</span>
      </span>,
    ],
  ];

  return (
    <>
      <div className="page-head">
        <h1>
          <span className="mono">{request.number}</span> <StatusBadge status={request.status} />
        </h1>
        <div className="head-actions">
          {editable && (
            <Link className="button" href={`/requests/${request.id}/edit`}>
              {t('edit')}
            </Link>
          )}
        </div>
      </div>
      <p className="muted">{request.tenantName}</p>
      {(done === 'created' || done === 'saved') && (
        <p role="status" className="alert success" data-testid="request-done">
          {done === 'created' ? t('created', { number: request.number }) : t('saved')}
        </p>
      )}
      {customer && (request.status !== 'applied' || !configState) && (
        <div className="alert info next-step" data-testid="next-step">
          <strong>{tn('title')}</strong> {tn(request.status as 'submitted', { tam: request.assignee?.name ?? tn('yourTam'), recipient: request.testRecipient })}
        </div>
      )}
      {oauthSwitch && (
        <div className="alert warning" role="status" data-testid="oauth-switch">
          <strong>{tsw('title')}</strong> {tsw('body', { reply: oauthSwitch.reply })}{' '}
          {editable ? (
            <Link className="button primary" href={`/requests/${request.id}/edit?switch=oauth`}>
              {tsw('button')}
            </Link>
          ) : (
            tsw(user.role === 'customer-admin' ? 'notEditable' : 'adminOnly')
          )}
        </div>
      )}
      {configState && <ConfigStateNote state={configState} tenantSlug={request.tenant} />}
      {admins && <MemberNote admins={admins} />}
      {path && <TamPath requestId={request.id} steps={path} />}
      {transitions.length > 0 && <TransitionButtons requestId={request.id} transitions={transitions} takeIsPrimary={!path || next === 'take'} askInfoDraft={askInfo} />}
      {applyGate && <ApplyButton requestId={request.id} tenantSlug={request.tenant} gate={applyGate} />}
      <div className="two-columns">
        <section aria-labelledby="details-h" className="card">
          <h2 id="details-h">{t('details')}</h2>
          {warning && <p className="alert warning">{tf(`warnings.${warning}`)}</p>}
          <dl className="details">
            {rows.map(([label, value]) => (
              <div key={label}>
                <dt>{label}</dt>
                <dd>{value}</dd>
              </div>
            ))}
          </dl>
        </section>
        <section aria-labelledby="timeline-h" className="card">
          <h2 id="timeline-h">{t('timeline')}</h2>
          <ol className="timeline">
            {timeline.map((e) => (
              <li key={e.seq}>
                {when(e.at)} <strong>{e.to && e.action !== 'request.edited' ? ts(e.to as 'submitted') : t(`events.${e.action}` as 'events.request.created')}</strong>
                <span className="muted"> · {e.actor}</span>
              </li>
            ))}
          </ol>
        </section>
      </div>
      {probeRuns && (
        <ProbePanel
          requestId={request.id}
          host={request.host}
          port={request.port}
          testRecipient={request.testRecipient}
          myEmail={user.email}
          closedReason={probeClosed}
          runs={probeRuns}
          encryption={request.encryption}
          authMethod={request.authMethod}
          timeoutMs={probeSettings().timeoutMs}
          next={next === 'validate' || next === 'test' ? next : null}
        />
      )}
      {checks && (canCheckStatus(request.status) || checks.length > 0) && (
        <CustomerCheckPanel requestId={request.id} host={request.host} port={request.port} canCheck={canCheckStatus(request.status)} runs={checks} />
      )}
      <section aria-labelledby="comments-h" className="card">
        <h2 id="comments-h">{t('comments')}</h2>
        {comments.length === 0 ? (
          <p className="empty-state">{t('noComments')}</p>
        ) : (
          <ol className="comments">
            {comments.map((c) => (
              <li key={c.id} className={c.internal ? 'internal' : c.author.staff ? 'staff' : ''}>
                <div className="comment-head">
                  <strong>{c.author.name}</strong>
                  {c.internal && <span className="badge">{t('internalBadge')}</span>}
                  <time dateTime={c.createdAt} className="muted">
                    {when(c.createdAt)}
                  </time>
                </div>
                <p className="pre">{c.body}</p>
              </li>
            ))}
          </ol>
        )}
        {can(user.role, 'request.comment') && <CommentForm requestId={request.id} allowInternal={can(user.role, 'request.comment.internal')} />}
      </section>
    </>
  );
}

type FieldsT = Awaited<ReturnType<typeof getTranslations<'fields'>>>;
type RequestsT = Awaited<ReturnType<typeof getTranslations<'requests'>>>;

const DAY_MS = 86_400_000;

/** Until when the OAuth client certificate is valid (the health check warns 21 days ahead). */
function certificateRow(pem: string | null, t: RequestsT): [string, React.ReactNode][] {
  const end = pem ? certificateExpiry(pem) : null;
  if (!end) return [];
  const days = Math.floor((end.getTime() - Date.now()) / DAY_MS);
  const date = end.toISOString().slice(0, 10);
  const soon = days <= 21;
  return [
    [
      t('certificateValidUntil'),
      <span key="certificate-expiry" data-testid="certificate-expiry" className={soon ? 'outdated' : undefined}>
        {days < 0 ? t('certificateExpired', { date }) : t('certificateDaysLeft', { date, days })}
      </span>,
    ],
  ];
}

/** The question "Ask for information" starts from: the failed step's diagnosis, in the customer's language. */
async function askInfoText(draft: Awaited<ReturnType<typeof askInfoDraft>>): Promise<string | null> {
  if (!draft) return null;
  const t = await getTranslations({ locale: draft.locale });
  const tr = t as unknown as (key: string, params?: Record<string, string | number>) => string;
  const values = { step: tr(`probe.steps.${draft.step}`), diagnosis: tr(`diagnoses.${draft.hint.code}`, draft.hint.params as Record<string, string | number>) };
  return draft.field ? tr('guide.askInfoDraftField', { ...values, field: tr(`fields.${draft.field}`) }) : tr('guide.askInfoDraft', values);
}

/** The credential rows: the password, or the OAuth provider's fields and which of its secrets are set (never their value). */
function oauthRows(request: Awaited<ReturnType<typeof getRequest>>, tf: FieldsT, state: (set: boolean) => string): [string, React.ReactNode][] {
  if (request.authMethod !== 'oauth2') return [[tf('password'), state(request.hasPassword)]];
  const rows: [string, React.ReactNode][] = [[tf('oauthProvider'), request.oauthProvider ? tf(`oauthProviderOptions.${request.oauthProvider}`) : '—']];
  if (request.oauthCloud) rows.push([tf('oauthCloud'), tf(`oauthCloudOptions.${request.oauthCloud}`)]);
  for (const k of ['oauthTenantId', 'oauthClientId', 'oauthTokenUrl', 'oauthScope'] as const) {
    const value = request[k];
    if (value)
      rows.push([
        tf(k),
        <span key={k} className="mono">
          {value}
        </span>,
      ]);
  }
  if (request.oauthCertificate)
    rows.push([
      tf('oauthCertificate'),
      <pre key="certificate" className="mono pre">
        {request.oauthCertificate}
      </pre>,
    ]);
  if (request.oauthProvider === 'google') rows.push([tf('oauthServiceAccountKey'), state(request.hasOauthServiceAccountKey)]);
  else if (request.oauthCertificate) rows.push([tf('oauthPrivateKey'), state(request.hasOauthPrivateKey)]);
  else rows.push([tf('oauthClientSecret'), state(request.hasOauthClientSecret)]);
  return rows;
}
