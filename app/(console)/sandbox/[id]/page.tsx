import Link from 'next/link';
import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { getTranslations } from 'next-intl/server';
import { Time } from '@/app/components/time';
import { requirePageUser } from '@/server/auth/auth';
import { readEnv } from '@/server/env';
import { orNotFound } from '@/server/http/page-errors';
import { getSandboxMessage } from '@/server/sandbox/sandbox-inbox';

type Params = { id: string };

export async function generateMetadata({ params }: { params: Promise<Params> }): Promise<Metadata> {
  const user = await requirePageUser();
  const message = await orNotFound(getSandboxMessage(user, (await params).id));
  return { title: message.subject || (await getTranslations('sandbox'))('noSubject') };
}

export default async function SandboxMessagePage({ params }: { params: Promise<Params> }) {
  const user = await requirePageUser();
  if (!readEnv().demo) notFound();
  const message = await orNotFound(getSandboxMessage(user, (await params).id));
  const t = await getTranslations('sandbox');
  const envelope: [string, React.ReactNode][] = [
    [
      t('message.mailFrom'),
      <span key="from" className="mono">
        {message.mailFrom || '<>'}
      </span>,
    ],
    [
      t('message.rcptTo'),
      <span key="to" className="mono">
        {message.rcptTo.join(', ')}
      </span>,
    ],
    [t('message.authUser'), message.authUser ?? '—'],
    [t('message.receivedAt'), <Time key="at" value={message.receivedAt} seconds />],
    [
      t('message.messageId'),
      <span key="id" className="mono">
        {message.messageId ?? '—'}
      </span>,
    ],
  ];
  return (
    <>
      <p>
        <Link href="/sandbox">« {t('message.back')}</Link>
      </p>
      <h1>{message.subject || t('noSubject')}</h1>
      <section className="card" aria-labelledby="envelope-h">
        <h2 id="envelope-h">{t('message.envelope')}</h2>
        <dl className="details">
          {envelope.map(([label, value]) => (
            <div key={label}>
              <dt>{label}</dt>
              <dd>{value}</dd>
            </div>
          ))}
        </dl>
      </section>
      <section className="card" aria-labelledby="headers-h">
        <h2 id="headers-h">{t('message.headers')}</h2>
        <dl className="details">
          {message.headers.map((h, index) => (
            <div key={`${index}-${h.name}`}>
              <dt className="mono">{h.name}</dt>
              <dd>{h.value}</dd>
            </div>
          ))}
        </dl>
      </section>
      <section className="card" aria-labelledby="body-h">
        <h2 id="body-h">{t('message.body')}</h2>
        {message.text === null ? <p className="empty-state">{t('message.noText')}</p> : <p className="pre">{message.text}</p>}
      </section>
      <section className="card" aria-labelledby="raw-h">
        <h2 id="raw-h">{t('message.raw')}</h2>
        <pre className="pre mono">{message.raw}</pre>
      </section>
    </>
  );
}
