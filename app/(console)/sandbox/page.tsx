import Link from 'next/link';
import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { getTranslations } from 'next-intl/server';
import { Time } from '@/app/components/time';
import { requirePageUser } from '@/server/auth/auth';
import { can } from '@/server/authz/permissions';
import { readEnv } from '@/server/env';
import { orNotFound } from '@/server/http/page-errors';
import { getSandboxMode, listSandboxMessages } from '@/server/sandbox/sandbox-inbox';
import { SANDBOX_KEEP } from '@/server/sandbox/store-sandbox-message';
import { DEFAULT_SANDBOX_PORT, SANDBOX_USERNAME } from '@/lib/sandbox-modes';
import { ModeSwitch } from './mode-switch';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('sandbox'))('title') };
}

export default async function SandboxPage({ searchParams }: { searchParams: Promise<{ cursor?: string }> }) {
  const user = await requirePageUser();
  if (!readEnv().demo) notFound();
  const { cursor } = await searchParams;
  const [page, mode] = await orNotFound(Promise.all([listSandboxMessages(user, { cursor }), getSandboxMode()]));
  const t = await getTranslations('sandbox');
  const tc = await getTranslations('common');
  const port = process.env.SANDBOX_PORT ?? String(DEFAULT_SANDBOX_PORT);
  return (
    <>
      <div className="page-head">
        <h1>{t('title')}</h1>
      </div>
      <p className="muted">{t('intro', { keep: SANDBOX_KEEP })}</p>
      <p className="mono">{t('connection', { host: 'localhost', port, username: SANDBOX_USERNAME })}</p>

      <section className="card" aria-labelledby="mode-h">
        <h2 id="mode-h">{t('mode.title')}</h2>
        <p className="muted">{t('mode.intro')}</p>
        {can(user.role, 'sandbox.configure') ? <ModeSwitch current={mode} /> : <p data-testid="sandbox-mode">{t('mode.current', { mode: t(`mode.options.${mode}.label`) })}</p>}
      </section>

      <section aria-labelledby="inbox-h">
        <h2 id="inbox-h">{t('inbox')}</h2>
        {user.role !== 'admin' && <p className="muted">{t('scopeTam')}</p>}
        {page.items.length === 0 ? (
          <p className="empty-state">{t('empty')}</p>
        ) : (
          <>
            <div className="table-wrap">
              <table className="table">
                <thead>
                  <tr>
                    <th scope="col">{t('columns.received')}</th>
                    <th scope="col">{t('columns.envelope')}</th>
                    <th scope="col">{t('columns.headerFrom')}</th>
                    <th scope="col">{t('columns.headerTo')}</th>
                    <th scope="col">{t('columns.subject')}</th>
                  </tr>
                </thead>
                <tbody>
                  {page.items.map((m) => (
                    <tr key={m.id}>
                      <td>
                        <Time value={m.receivedAt} relative />
                      </td>
                      <td className="mono">
                        {m.mailFrom || '<>'} → {m.rcptTo.join(', ')}
                      </td>
                      <td>{m.headerFrom}</td>
                      <td>{m.headerTo}</td>
                      <td>
                        <Link href={`/sandbox/${m.id}`}>{m.subject || t('noSubject')}</Link>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <nav className="pager" aria-label={t('pagination')}>
              {cursor && <Link href="/sandbox">« {tc('previous')}</Link>}
              {page.nextCursor && (
                <Link href={`/sandbox?${new URLSearchParams({ cursor: page.nextCursor }).toString()}`} rel="next">
                  {tc('next')} »
                </Link>
              )}
            </nav>
          </>
        )}
      </section>
    </>
  );
}
