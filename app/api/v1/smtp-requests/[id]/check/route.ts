import { apiRoute } from '@/server/http/handle';
import { checkResponse } from '@/server/http/check-response';

export const POST = apiRoute<{ id: string }>(async ({ request, user, meta, params }) => checkResponse(request, user, meta, { requestId: params.id }));
