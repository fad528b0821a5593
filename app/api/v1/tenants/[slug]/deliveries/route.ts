import { apiRoute, json } from '@/server/http/handle';
import { listDeliveries } from '@/server/pipeline/list-deliveries';

export const GET = apiRoute<{ slug: string }>(async ({ request, user, params }) => {
  const query = Object.fromEntries(new URL(request.url).searchParams);
  return json(await listDeliveries(user, params.slug, query));
});
