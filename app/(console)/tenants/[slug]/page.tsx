import Link from 'next/link';
import type { Metadata } from 'next';
import { getFormatter, getTranslations } from 'next-intl/server';
import { requirePageUser } from '@/server/auth/auth';
import { can } from '@/server/authz/permissions';
import { orNotFound } from '@/server/http/page-errors';
import { findVisibleTenant } from '@/server/pipeline/find-visible-tenant';
import { getSmtpConfig } from '@/server/config-versions/list-config-versions';
import { DELIVERY_STATUSES, listDeliveries, pipelineHealth } from '@/server/pipeline/list-deliveries';
import { listPipelineTokens } from '@/server/pipeline/pipeline-tokens';
import { HealthChart } from './health-chart';
import { HealthChecks } from './health-checks';
import { listTenantHealthChecks } from '@/server/health/list-health';
import { LimitsForm, PauseButton, PipelineTokens, RetryButton, RollbackButton } from './pipeline-controls';

type Params = { slug: string };
type Search = { status?: string; cursor?: string };

export async function generateMetadata({ params }: { params: Promise<Params> }): Promise<Metadata> {
  const user = await requirePageUser();
  const tenant = await orNotFound(findVisibleTenant(user, (await params).slug, 'config.read'));
  return { title: tenant.name };
}

export default async function TenantPage({ params, searchParams }: { params: Promise<Params>; searchParams: Promise<Search> }) {
  const user = await requirePageUser();
  const { slug } = await params;
  const { status, cursor } = await searchParams;
  const validStatus = (DELIVERY_STATUSES as readonly string[]).includes(status ?? '') ? status : undefined;
  const tenant = await orNotFound(findVisibleTenant(user, slug, 'config.read'));
  const manage = can(user.role, 'pipeline.manage');
  const [config, health, deliveries, tokens, healthChecks] = await orNotFound(
    Promise.all([
      getSmtpConfig(user, slug),
      pipelineHealth(user, slug),
      listDeliveries(user, slug, { status: validStatus, cursor }),
      manage ? listPipelineTokens(user, slug) : Promise.resolve([]),
      listTenantHealthChecks(user, slug),
    ]),
  );
  const t = await getTranslations('pipeline');
  const tf = await getTranslations('fields');
  const format = await getFormatter();
  const when = (iso: string | null) => (iso ? format.dateTime(new Date(iso), { dateStyle: 'medium', timeStyle: 'short' }) : '—');
  const hour = (iso: string) => format.dateTime(new Date(iso), { hour: '2-digit', minute: '2-digit' });
  const canRollback = can(user.role, 'config.apply');
  const active = config.active;
  const query = (extra: Record<string, string | undefined>) => {
    const q = new URLSearchParams(Object.entries({ status: validStatus, ...extra }).filter((e): e is [string, string] => Boolean(e[1])));
    return q.size ? `?${q}` : '?';
  };

  return (
    <>
      <div className="page-head">
        <h1>{tenant.name}</h1>
        {health.paused ? (
          <span className="badge status-rejected">{t('health.paused')}</span>
        ) : active ? (
          <span className="badge status-applied">{t('health.active')}</span>
        ) : (
          <span className="badge status-withdrawn">{t('health.notConfigured')}</span>
        )}
      </div>

      {health.paused && (
        <div role="alert" className="alert error">
          <p>
            <strong>{t('health.pausedAlert')}</strong> {health.pausedReason}
          </p>
          <p className="muted">
            {t('health.pausedSince', { when: when(health.pausedAt) })} · {t('health.pausedHelp')}
          </p>
          {manage && <PauseButton slug={slug} paused />}
        </div>
      )}

      <div className="two-columns">
        <section aria-labelledby="active-h" className="card">
          <h2 id="active-h">{t('active.title')}</h2>
          {active ? (
            <dl className="details">
              {(
                [
                  [t('versions.version'), `v${active.version}`],
                  [tf('host'), `${active.host}:${active.port}`],
                  [tf('encryption'), tf(`encryptionOptions.${active.encryption}` as 'encryptionOptions.none')],
                  [tf('authMethod'), tf(`authMethodOptions.${active.authMethod}` as 'authMethodOptions.none')],
                  [tf('username'), active.username || '—'],
                  [tf('password'), active.hasPassword ? t('active.passwordSet') : t('active.passwordNotSet')],
                  [tf('heloDomain'), active.heloDomain || '—'],
                  [tf('noReplyAddress'), active.noReplyName ? `${active.noReplyName} <${active.noReplyAddress}>` : active.noReplyAddress],
                  [tf('supportContact'), active.supportContact || '—'],
                  [t('versions.appliedAt'), when(active.appliedAt)],
                ] as const
              ).map(([label, value]) => (
                <div key={label}>
                  <dt>{label}</dt>
                  <dd>{value}</dd>
                </div>
              ))}
            </dl>
          ) : (
            <p className="empty-state">{t('active.none')}</p>
          )}
        </section>

        <section aria-labelledby="health-h" className="card">
          <h2 id="health-h">{t('health.title')}</h2>
          {health.buckets.some((b) => b.delivered + b.retrying + b.dead > 0) ? (
            <HealthChart buckets={health.buckets} title={t('health.chartTitle')} hourLabel={hour} labels={{ delivered: t('statuses.delivered'), retrying: t('statuses.retrying'), dead: t('statuses.dead') }} />
          ) : (
            <p className="empty-state">{t('health.chartEmpty')}</p>
          )}
          <p>{t('health.counts', { queued: health.queued, retrying: health.retrying, dead: health.dead })}</p>
          {health.lastError && (
            <p>
              {t('health.lastError')} <code>{health.lastError.reply}</code> <span className="muted">({when(health.lastError.at)})</span>
            </p>
          )}
          {health.lastRecycle && (
            <p>
              {t('watchdog.recycled', { when: when(health.lastRecycle.at) })} <code>{health.lastRecycle.reason}</code>
            </p>
          )}
          <p className="muted">{t('limits.current', { connections: health.maxConnections, rate: health.ratePerMinute === null ? 'none' : String(health.ratePerMinute) })}</p>
          {manage && (
            <>
              <LimitsForm slug={slug} maxConnections={health.maxConnections} ratePerMinute={health.ratePerMinute} />
              {!health.paused && <PauseButton slug={slug} paused={false} />}
            </>
          )}
        </section>
      </div>

      <HealthChecks checks={healthChecks} />

      <section aria-labelledby="versions-h" className="card">
        <h2 id="versions-h">{t('versions.title')}</h2>
        {config.versions.length === 0 ? (
          <p className="empty-state">{t('versions.none')}</p>
        ) : (
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">{t('versions.version')}</th>
                  <th scope="col">{t('versions.source')}</th>
                  <th scope="col">{t('versions.server')}</th>
                  <th scope="col">{t('versions.appliedBy')}</th>
                  <th scope="col">{t('versions.appliedAt')}</th>
                  <th scope="col">{t('versions.request')}</th>
                  <th scope="col">{t('versions.canary')}</th>
                  {canRollback && <th scope="col">{t('versions.actions')}</th>}
                </tr>
              </thead>
              <tbody>
                {config.versions.map((v) => (
                  <tr key={v.version}>
                    <td>
                      v{v.version} {v.version === active?.version && <span className="badge status-applied">{t('versions.activeBadge')}</span>}
                    </td>
                    <td>
                      {t(`versions.sources.${v.source as 'apply'}`)}
                      {v.copiedFrom !== null && <span className="muted"> · {t('versions.copiedFrom', { version: v.copiedFrom })}</span>}
                    </td>
                    <td className="mono">
                      {v.host}:{v.port}
                    </td>
                    <td>{v.appliedBy?.name ?? t('versions.system')}</td>
                    <td>
                      <time dateTime={v.appliedAt}>{when(v.appliedAt)}</time>
                    </td>
                    <td>{v.requestId && v.requestNumber ? <Link href={`/requests/${v.requestId}`} className="mono">{v.requestNumber}</Link> : '—'}</td>
                    <td>
                      {v.canary ? (
                        <>
                          {t(`statuses.${v.canary.status as 'delivered'}`)}
                          {v.canary.status === 'dead' && v.canary.lastReply && (
                            <>
                              {' '}
                              <code>{v.canary.lastReply}</code>
                            </>
                          )}
                        </>
                      ) : (
                        '—'
                      )}
                    </td>
                    {canRollback && <td>{v.version !== active?.version && <RollbackButton slug={slug} version={v.version} />}</td>}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      {manage && (
        <section aria-labelledby="tokens-h" className="card">
          <h2 id="tokens-h">{t('tokens.title')}</h2>
          <p className="muted">{t('tokens.intro')}</p>
          <PipelineTokens slug={slug} tokens={tokens.map((x) => ({ id: x.id, prefix: x.prefix, created: when(x.createdAt), revoked: x.revokedAt !== null }))} />
        </section>
      )}

      <section aria-labelledby="deliveries-h" className="card">
        <h2 id="deliveries-h">{t('deliveries.title')}</h2>
        <nav className="filters" aria-label={t('deliveries.filter')}>
          <Link href={query({ status: undefined })} aria-current={!validStatus ? 'page' : undefined}>
            {t('deliveries.all')}
          </Link>
          {DELIVERY_STATUSES.map((s) => (
            <Link key={s} href={`?status=${s}`} aria-current={validStatus === s ? 'page' : undefined}>
              {t(`statuses.${s}`)}
            </Link>
          ))}
          {manage && health.dead > 0 && <RetryButton slug={slug} notificationId={null} />}
        </nav>
        {deliveries.items.length === 0 ? (
          <p className="empty-state">{t('deliveries.none')}</p>
        ) : (
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">{t('deliveries.created')}</th>
                  <th scope="col">{t('deliveries.subject')}</th>
                  <th scope="col">{t('deliveries.status')}</th>
                  <th scope="col">{t('recipientStates.title')}</th>
                  <th scope="col">{t('deliveries.attempts')}</th>
                  <th scope="col">{t('deliveries.lastReply')}</th>
                  <th scope="col">{t('deliveries.done')}</th>
                </tr>
              </thead>
              <tbody>
                {deliveries.items.map((d) => (
                  <tr key={d.id}>
                    <td>
                      <time dateTime={d.createdAt}>{when(d.createdAt)}</time>
                    </td>
                    <td>
                      {d.canary && <span className="badge">{t('deliveries.canary')}</span>} {d.subject}
                      <div className="muted mono">{d.messageId}</div>
                    </td>
                    <td>{t(`statuses.${d.status as 'delivered'}`)}</td>
                    <td>
                      <ul className="steps">
                        {d.recipientStates.map((r) => (
                          <li key={r.address}>
                            <span className="mono">{r.address}</span> · {t(`recipientStates.${r.state}`)}
                            {r.reply && r.reply !== d.lastReply && (
                              <div>
                                <code>{r.reply}</code>
                              </div>
                            )}
                          </li>
                        ))}
                      </ul>
                    </td>
                    <td>{d.attempts}</td>
                    <td>{d.lastReply ? <code>{d.lastReply}</code> : '—'}</td>
                    <td>
                      {d.status === 'delivered' && when(d.sentAt)}
                      {d.status === 'dead' && when(d.deadAt)}
                      {(d.status === 'queued' || d.status === 'retrying') && t('deliveries.next', { when: when(d.nextAttemptAt) })}
                      {manage && d.status === 'dead' && <RetryButton slug={slug} notificationId={d.id} />}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <nav className="pager" aria-label="pagination">
          {cursor && <Link href={query({})}>« {t('deliveries.first')}</Link>}
          {deliveries.nextCursor && (
            <Link href={query({ cursor: deliveries.nextCursor })} rel="next">
              {t('deliveries.older')} »
            </Link>
          )}
        </nav>
      </section>
    </>
  );
}
