import { apiRoute } from '@/server/http/handle';
import { probeResponse } from '@/server/http/probe-response';

export const POST = apiRoute<{ id: string }>(async ({ request, user, meta, params }) => probeResponse(request, user, meta, params.id, { kind: 'validate' }));
