import { CONFIG_FIELDS } from '@/lib/smtp-config-model';
import { VersionCompareForm } from '@/app/components/version-compare-form';
import Link from 'next/link';
import type { Metadata } from 'next';
import { cache } from 'react';
import { getFormatter, getTranslations } from 'next-intl/server';
import { Time, EXACT } from '@/app/components/time';
import { requirePageUser } from '@/server/auth/auth';
import { can } from '@/server/authz/permissions';
import { orNotFound } from '@/server/http/page-errors';
import { findVisibleTenant } from '@/server/tenants/find-visible-tenant';
import { getSmtpConfig } from '@/server/config-versions/list-config-versions';
import { DELIVERY_STATUSES, listDeliveries, pipelineHealth } from '@/server/pipeline/list-deliveries';
import { listPipelineTokens } from '@/server/pipeline/pipeline-tokens';
import { searchDeliveries } from '@/server/deliveries/search-deliveries';
import { diffVersions } from '@/server/config-versions/diff-config-versions';
import { FieldLabel } from '@/app/components/field-label';
import { HealthChart } from './health-chart';
import { HealthChecks } from './health-checks';
import { listTenantHealthChecks } from '@/server/health/list-health';
import { LimitsForm, PauseButton, PipelineTokens, RetryButton, RollbackButton } from './pipeline-controls';

type Params = { slug: string };

// The metadata and the page need the same tenant in one render: it is loaded once (React cache).
const loadTenant = cache(async (slug: string) => findVisibleTenant(await requirePageUser(), slug, 'config.read'));
type Search = { status?: string; cursor?: string; q?: string; a?: string; b?: string };

export async function generateMetadata({ params }: { params: Promise<Params> }): Promise<Metadata> {
  const tenant = await orNotFound(loadTenant((await params).slug));
  return { title: tenant.name };
}

export default async function TenantPage({ params, searchParams }: { params: Promise<Params>; searchParams: Promise<Search> }) {
  const user = await requirePageUser();
  const { slug } = await params;
  const { status, cursor, q: rawQ, a: rawA, b: rawB } = await searchParams;
  const q = rawQ?.trim().slice(0, 254) || undefined;
  const validStatus = (DELIVERY_STATUSES as readonly string[]).includes(status ?? '') ? status : undefined;
  const tenant = await orNotFound(loadTenant(slug));
  const manage = can(user.role, 'pipeline.manage');
  const [config, health, deliveries, tokens, healthChecks] = await orNotFound(
    Promise.all([
      getSmtpConfig(user, slug),
      pipelineHealth(user, slug),
      q ? searchDeliveries(user, slug, { q }).then((items) => ({ items, nextCursor: null })) : listDeliveries(user, slug, { status: validStatus, cursor }),
      manage ? listPipelineTokens(user, slug) : Promise.resolve([]),
      listTenantHealthChecks(user, slug),
    ]),
  );
  const t = await getTranslations('pipeline');
  const tf = await getTranslations('fields');
  const format = await getFormatter();
  const when = (iso: string | null) => (iso ? <Time value={iso} relative /> : '—');
  const whenText = (iso: string | null) => (iso ? format.dateTime(new Date(iso), EXACT) : '—');
  const hour = (iso: string) => format.dateTime(new Date(iso), { hour: '2-digit', minute: '2-digit' });
  const canRollback = can(user.role, 'config.apply');
  const active = config.active;
  // What each version changed against the one before it (the password only shows through the fingerprint).
  const older = [...config.versions].sort((x, y) => x.version - y.version);
  const changedOf = new Map(
    older.map((v, i) => {
      const prev = older[i - 1];
      if (!prev) return [v.version, null] as const;
      const fields: string[] = CONFIG_FIELDS.filter((f) => String(prev[f]) !== String(v[f]));
      if (fields.length === 0 && prev.fingerprint !== v.fingerprint) fields.push('password');
      return [v.version, fields] as const;
    }),
  );
  const newest = older.at(-1)?.version;
  const diffB = Number(rawB) || newest;
  const diffA = Number(rawA) || (diffB ? diffB - 1 : undefined);
  const diff =
    diffA && diffB && diffA !== diffB && older.some((v) => v.version === diffA) && older.some((v) => v.version === diffB)
      ? await orNotFound(diffVersions(user, slug, diffA, diffB))
      : null;
  const ta = await getTranslations('audit');
  const tc = await getTranslations('common');
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
            {t('health.pausedSince', { when: whenText(health.pausedAt) })} · {t('health.pausedHelp')}
          </p>
          {manage && <PauseButton slug={slug} paused />}
        </div>
      )}

      <div>
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
                  active.authMethod === 'oauth2' && active.oauthProvider
                    ? [tf('oauthProvider'), tf(`oauthProviderOptions.${active.oauthProvider}`)]
                    : [tf('password'), active.hasPassword ? t('active.passwordSet') : t('active.passwordNotSet')],
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
      </div>

      <section aria-labelledby="health-h" className="card">
        <h2 id="health-h">{t('health.title')}</h2>
        {health.buckets.some((b) => b.delivered + b.retrying + b.dead > 0) ? (
          <HealthChart
            buckets={health.buckets.map((b) => ({ ...b, label: hour(b.hour) }))}
            title={t('health.chartTitle')}
            labels={{
              delivered: t('statuses.delivered'),
              retrying: t('statuses.retrying'),
              dead: t('statuses.dead'),
              hour: t('health.hour'),
              count: t('health.count'),
              table: t('health.asTable'),
            }}
          />
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
            {t('watchdog.recycled', { when: whenText(health.lastRecycle.at) })} <code>{health.lastRecycle.reason}</code>
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
      <HealthChecks checks={healthChecks} />

      <section aria-labelledby="versions-h" className="card">
        <h2 id="versions-h">{t('versions.title')}</h2>
        {config.versions.length === 0 ? (
          <p className="empty-state">{t('versions.none')}</p>
        ) : (
          <div className="table-wrap">
            <table className="table cards">
              <thead>
                <tr>
                  <th scope="col">{t('versions.version')}</th>
                  <th scope="col">{t('versions.source')}</th>
                  <th scope="col">{t('versions.changed')}</th>
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
                    <td data-label={t('versions.version')}>
                      v{v.version} {v.version === active?.version && <span className="badge status-applied">{t('versions.activeBadge')}</span>}
                    </td>
                    <td data-label={t('versions.source')}>
                      {t(`versions.sources.${v.source as 'apply'}`)}
                      {v.copiedFrom !== null && <span className="muted"> · {t('versions.copiedFrom', { version: v.copiedFrom })}</span>}
                    </td>
                    <td data-label={t('versions.changed')}>
                      {changedOf.get(v.version) === null ? (
                        <span className="muted">{t('versions.first')}</span>
                      ) : changedOf.get(v.version)!.length === 0 ? (
                        <span className="muted">{t('versions.nothingChanged')}</span>
                      ) : (
                        changedOf.get(v.version)!.map((f, i) => (
                          <span key={f}>
                            {i > 0 && t('versions.separator')}
                            <FieldLabel field={f} />
                          </span>
                        ))
                      )}
                    </td>
                    <td data-label={t('versions.server')} className="mono">
                      {v.host}:{v.port}
                    </td>
                    <td data-label={t('versions.appliedBy')}>{v.appliedBy?.name ?? t('versions.system')}</td>
                    <td data-label={t('versions.appliedAt')}>{when(v.appliedAt)}</td>
                    <td data-label={t('versions.request')}>
                      {v.requestId && v.requestNumber ? (
                        <Link href={`/requests/${v.requestId}`} className="mono">
                          {v.requestNumber}
                        </Link>
                      ) : (
                        '—'
                      )}
                    </td>
                    <td data-label={t('versions.canary')}>
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
                    {canRollback && <td data-label={t('versions.actions')}>{v.version !== active?.version && <RollbackButton slug={slug} version={v.version} />}</td>}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      {older.length > 1 && (
        <section aria-labelledby="diff-h" className="card">
          <h2 id="diff-h">{t('versions.compareTitle')}</h2>
          <VersionCompareForm versions={older} a={diffA} b={diffB} />
          {diff && (
            <div className="table-wrap">
              <table className="table diff cards" data-testid="tenant-version-diff">
                <caption className="visually-hidden">{ta('versionDiff', { a: diff.before.version, b: diff.after.version })}</caption>
                <thead>
                  <tr>
                    <th scope="col">{ta('field')}</th>
                    <th scope="col">v{diff.before.version}</th>
                    <th scope="col">v{diff.after.version}</th>
                  </tr>
                </thead>
                <tbody>
                  {diff.changes.map((c) => (
                    <tr key={c.field} className={c.changed ? 'changed' : 'same'}>
                      <th scope="row">
                        <FieldLabel field={c.field} />
                      </th>
                      <td data-label={`v${diff.before.version}`} className="mono pre">
                        {c.field === 'password' ? (diff.before.hasPassword ? ta('passwordSet') : ta('nothing')) : String(c.before) || ta('nothing')}
                      </td>
                      <td data-label={`v${diff.after.version}`} className="mono pre">
                        {c.field === 'password' ? (c.changed ? ta('passwordChanged') : ta('passwordUnchanged')) : String(c.after) || ta('nothing')}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      )}

      {manage && (
        <section aria-labelledby="tokens-h" className="card">
          <h2 id="tokens-h">{t('tokens.title')}</h2>
          <p className="muted">{t('tokens.intro')}</p>
          <PipelineTokens slug={slug} tokens={tokens.map((x) => ({ id: x.id, prefix: x.prefix, created: when(x.createdAt), revoked: x.revokedAt !== null }))} />
        </section>
      )}

      <section aria-labelledby="deliveries-h" className="card">
        <h2 id="deliveries-h">{t('deliveries.title')}</h2>
        <form method="get" className="filters" role="search">
          <div className="field">
            <label htmlFor="delivery-q">{t('deliveries.search')}</label>
            <input id="delivery-q" type="search" name="q" defaultValue={q ?? ''} placeholder={t('deliveries.searchPlaceholder')} />
          </div>
          <button type="submit" className="button">
            {tc('filter')}
          </button>
          {q && (
            <Link href="?" className="button subtle">
              {tc('clear')}
            </Link>
          )}
        </form>
        <nav className="filters" aria-label={t('deliveries.filter')}>
          <Link href={query({ status: undefined })} aria-current={!validStatus && !q ? 'page' : undefined}>
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
          // Wide (a column per recipient state): it scrolls, so it takes keyboard focus to scroll with the arrows.
          <div className="table-wrap" tabIndex={0} role="region" aria-labelledby="deliveries-h">
            <table className="table cards">
              <thead>
                <tr>
                  <th scope="col">{t('deliveries.created')}</th>
                  <th scope="col">{t('deliveries.recipients')}</th>
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
                    <td data-label={t('deliveries.created')}>{when(d.createdAt)}</td>
                    <td data-label={t('deliveries.recipients')} className="mono recipients">
                      {d.recipients.slice(0, 3).join(', ')}
                      {d.recipients.length > 3 && <span className="muted"> {t('deliveries.more', { count: d.recipients.length - 3 })}</span>}
                    </td>
                    <td data-label={t('deliveries.subject')}>
                      {d.canary && <span className="badge">{t('deliveries.canary')}</span>} {d.subject}
                      <div className="muted mono message-id">{d.messageId}</div>
                    </td>
                    <td data-label={t('deliveries.status')}>
                      <span className={`badge delivery-${d.status}`}>{t(`statuses.${d.status as 'delivered'}`)}</span>
                    </td>
                    <td data-label={t('recipientStates.title')}>
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
                    <td data-label={t('deliveries.attempts')}>{d.attempts}</td>
                    <td data-label={t('deliveries.lastReply')}>{d.lastReply ? <code>{d.lastReply}</code> : '—'}</td>
                    <td data-label={t('deliveries.done')}>
                      {d.status === 'delivered' && when(d.sentAt)}
                      {d.status === 'dead' && when(d.deadAt)}
                      {(d.status === 'queued' || d.status === 'retrying') && t('deliveries.next', { when: whenText(d.nextAttemptAt) })}
                      {manage && d.status === 'dead' && <RetryButton slug={slug} notificationId={d.id} />}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <nav className="pager" aria-label={tc('pagination')}>
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
