import 'server-only';
// The delivery log searched by a recipient's address or a Message-ID (its part between < and >, or all of
// it): the newest 25 matches of one tenant the user may see. The log without a search is list-deliveries.ts.
import { z } from 'zod';
import { db } from '../db';
import { containsIgnoringCase } from '../text-search';
import type { CurrentUser } from '../auth/current-user';
import { parseOrThrow } from '../core/parse';
import { findVisibleTenant } from '../tenants/find-visible-tenant';
import { DELIVERY_SELECT, toDeliveryView, type DeliveryView } from '../pipeline/list-deliveries';

const SearchQuery = z.object({ q: z.string().trim().min(1, 'required').max(254, 'tooLong') });

export async function searchDeliveries(user: CurrentUser, slug: string, query: { q?: string }): Promise<DeliveryView[]> {
  const tenant = await findVisibleTenant(user, slug, 'deliveries.read');
  const { q } = parseOrThrow(SearchQuery, query);
  const text = q.replace(/^<|>$/g, '');
  const rows = await db.notification.findMany({
    where: { tenantId: tenant.id, OR: [{ messageId: { contains: text } }, { recipients: containsIgnoringCase(text) }] },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: 25,
    select: DELIVERY_SELECT,
  });
  return rows.map(toDeliveryView);
}
