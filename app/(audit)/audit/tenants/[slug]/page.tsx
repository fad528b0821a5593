import { VersionCompareForm } from '@/app/components/version-compare-form';
import Link from 'next/link';
import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';
import { Time } from '@/app/components/time';
import { FieldLabel } from '@/app/components/field-label';
import { requirePageUser } from '@/server/auth/auth';
import { diffAuditedVersions, getAuditedSmtpConfig } from '@/server/audit/tenant-versions';
import { orNotFound } from '@/server/http/page-errors';

type Params = { slug: string };
type Search = { a?: string; b?: string };

export async function generateMetadata({ params }: { params: Promise<Params> }): Promise<Metadata> {
  return { title: (await getTranslations('audit'))('versionsTitle', { tenant: (await params).slug }) };
}

export default async function TenantVersionsPage({ params, searchParams }: { params: Promise<Params>; searchParams: Promise<Search> }) {
  const user = await requirePageUser();
  const { slug } = await params;
  const config = await orNotFound(getAuditedSmtpConfig(user, slug));
  const t = await getTranslations('audit');
  const versions = [...config.versions].sort((x, y) => x.version - y.version);
  const search = await searchParams;
  const newest = versions.at(-1)?.version;
  const b = Number(search.b) || newest;
  const a = Number(search.a) || (b ? b - 1 : undefined);
  const diff = a && b && a !== b && versions.some((v) => v.version === a) ? await orNotFound(diffAuditedVersions(user, slug, a, b)) : null;
  return (
    <>
      <p>
        <Link href={`/audit?tenant=${encodeURIComponent(slug)}`}>← {t('back')}</Link>
      </p>
      <h1>{t('versionsTitle', { tenant: config.tenantName })}</h1>
      {versions.length === 0 ? (
        <p className="empty-state">{t('noVersions')}</p>
      ) : (
        <>
          <div className="table-wrap">
            <table className="table cards">
              <thead>
                <tr>
                  <th scope="col">{t('versionA')}</th>
                  <th scope="col">{t('columns.at')}</th>
                  <th scope="col">{t('columns.actor')}</th>
                  <th scope="col">{t('columns.action')}</th>
                  <th scope="col">{t('columns.target')}</th>
                </tr>
              </thead>
              <tbody>
                {versions.map((v) => (
                  <tr key={v.version}>
                    <td data-label={t('versionA')} className="mono">
                      v{v.version}
                    </td>
                    <td data-label={t('columns.at')}>
                      <Time value={v.appliedAt} />
                    </td>
                    <td data-label={t('columns.actor')}>{v.appliedBy?.email ?? 'system'}</td>
                    <td data-label={t('columns.action')} className="mono">
                      {v.source}
                      {v.copiedFrom ? ` ← v${v.copiedFrom}` : ''}
                    </td>
                    <td data-label={t('columns.target')}>{v.requestId ? <Link href={`/requests/${v.requestId}`}>{v.requestNumber}</Link> : '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <VersionCompareForm versions={versions} a={a} b={b} />
          {diff && (
            <section className="card" aria-labelledby="diff-h">
              <h2 id="diff-h">{t('versionDiff', { a: diff.before.version, b: diff.after.version })}</h2>
              <div className="table-wrap">
                <table className="table diff" data-testid="version-diff">
                  <thead>
                    <tr>
                      <th scope="col">{t('field')}</th>
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
                        <td className="mono pre">{String(c.before) || t('nothing')}</td>
                        <td className="mono pre">{c.field === 'password' ? (c.changed ? t('passwordChanged') : t('passwordUnchanged')) : String(c.after) || t('nothing')}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </section>
          )}
        </>
      )}
    </>
  );
}
