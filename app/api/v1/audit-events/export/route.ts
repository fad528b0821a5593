import { apiRoute } from '@/server/http/handle';
import { exportAuditEvents } from '@/server/audit/export-events';

export const GET = apiRoute(async ({ request, user, meta }) => {
  const { stream, contentType, filename } = await exportAuditEvents(user, Object.fromEntries(new URL(request.url).searchParams), meta);
  return new Response(stream, { headers: { 'content-type': contentType, 'content-disposition': `attachment; filename="${filename}"`, 'cache-control': 'no-store' } });
});
