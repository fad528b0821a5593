import { apiRoute } from '@/server/http/handle';
import { diagnosticsBundle } from '@/server/probes/diagnostics-bundle';

export const GET = apiRoute<{ id: string }>(async ({ user, meta, params }) => {
  const { filename, bundle } = await diagnosticsBundle(user, params.id, meta);
  return new Response(JSON.stringify(bundle, null, 2), {
    headers: { 'content-type': 'application/json; charset=utf-8', 'content-disposition': `attachment; filename="${filename}"` },
  });
});
