import { apiRoute } from '@/server/http/handle';
import { checkResponse } from '@/server/http/check-response';

export const POST = apiRoute(async ({ request, user, meta, body }) => checkResponse(request, user, meta, { body }), { body: 'required' });
