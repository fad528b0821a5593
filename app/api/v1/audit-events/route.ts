import { apiRoute, json } from '@/server/http/handle';
import { listAuditEvents } from '@/server/audit/list-events';

export const GET = apiRoute(async ({ request, user }) => json(await listAuditEvents(user, Object.fromEntries(new URL(request.url).searchParams))));
