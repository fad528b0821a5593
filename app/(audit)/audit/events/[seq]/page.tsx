import Link from 'next/link';
import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { getTranslations } from 'next-intl/server';
import { Time } from '@/app/components/time';
import { requirePageUser } from '@/server/auth/auth';
import { getAuditEvent } from '@/server/audit/list-events';
import { orNotFound } from '@/server/http/page-errors';
import { DiffTable } from '../../diff-table';

type Params = { seq: string };

export async function generateMetadata({ params }: { params: Promise<Params> }): Promise<Metadata> {
  return { title: (await getTranslations('audit'))('event', { seq: (await params).seq }) };
}

export default async function AuditEventPage({ params }: { params: Promise<Params> }) {
  const user = await requirePageUser();
  const event = await orNotFound(getAuditEvent(user, Number((await params).seq)));
  if (!event) notFound();
  const t = await getTranslations('audit');
  const ta = await getTranslations('auditActions');
  const meta: [string, React.ReactNode][] = [
    [t('columns.at'), <Time key="at" value={event.at} seconds />],
    [t('columns.actor'), event.actor],
    [t('meta.actorType'), event.actorType],
    [t('columns.tenant'), event.tenant ?? '—'],
    [t('meta.target'), `${event.targetLabel ? `${event.targetLabel} · ` : ''}${event.targetType}${event.targetId ? ` ${event.targetId}` : ''}`],
    [t('meta.ip'), event.ip ?? '—'],
    [t('meta.userAgent'), event.userAgent ?? '—'],
    [t('meta.requestId'), event.requestId ?? '—'],
    [t('meta.prevHash'), event.prevHash],
    [t('meta.hash'), event.hash],
  ];
  return (
    <>
      <p>
        <Link href="/audit">← {t('back')}</Link>
      </p>
      <h1>
        {t('event', { seq: event.seq })} · {ta.has(event.action) ? ta(event.action) : event.action} <code className="badge">{event.action}</code>
      </h1>
      <section className="card">
        <dl className="details">
          {meta.map(([label, value]) => (
            <div key={label}>
              <dt>{label}</dt>
              <dd className="mono">{value}</dd>
            </div>
          ))}
        </dl>
        {event.targetId && (
          <p>
            <Link href={`/audit?target=${encodeURIComponent(event.targetId)}`}>{t('history')}</Link>
            {event.tenant && (
              <>
                {' · '}
                <Link href={`/audit/tenants/${event.tenant}`}>{t('versionsTitle', { tenant: event.tenant })}</Link>
              </>
            )}
          </p>
        )}
      </section>
      {(event.before || event.after) && (
        <section className="card">
          <DiffTable before={event.before ?? {}} after={event.after ?? {}} />
        </section>
      )}
    </>
  );
}
