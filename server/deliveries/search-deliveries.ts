import 'server-only';
// The delivery log searched by a recipient's address or a Message-ID (its part between < and >, or all of
// it): the newest 25 matches of one tenant the user may see. The log without a search is list-deliveries.ts.
import { z } from 'zod';
import { db } from '../db';
import { containsIgnoringCase } from '../text-search';
import type { CurrentUser } from '../auth/current-user';
import { parseOrThrow } from '../http/parse';
import { findVisibleTenant } from '../pipeline/find-visible-tenant';
import type { DeliveryView } from '../pipeline/list-deliveries';

const SearchQuery = z.object({ q: z.string().trim().min(1, 'required').max(254, 'tooLong') });

export async function searchDeliveries(user: CurrentUser, slug: string, query: { q?: string }): Promise<DeliveryView[]> {
  const tenant = await findVisibleTenant(user, slug, 'deliveries.read');
  const { q } = parseOrThrow(SearchQuery, query);
  const text = q.replace(/^<|>$/g, '');
  const rows = await db.notification.findMany({
    where: { tenantId: tenant.id, OR: [{ messageId: { contains: text } }, { recipients: containsIgnoringCase(text) }] },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: 25,
    select: { id: true, messageId: true, kind: true, subject: true, recipients: true, canary: true, status: true, attempts: true, lastReply: true, configVersion: true, createdAt: true, nextAttemptAt: true, sentAt: true, deadAt: true },
  });
  return rows.map((r) => ({
    ...r,
    recipients: JSON.parse(r.recipients) as string[],
    createdAt: r.createdAt.toISOString(),
    nextAttemptAt: r.status === 'queued' || r.status === 'retrying' ? r.nextAttemptAt.toISOString() : null,
    sentAt: r.sentAt?.toISOString() ?? null,
    deadAt: r.deadAt?.toISOString() ?? null,
  }));
}
