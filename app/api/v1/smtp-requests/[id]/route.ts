import { apiRoute, json } from '@/server/http/handle';
import { getRequest } from '@/server/requests/get-request';
import { updateRequest } from '@/server/requests/update-request';

type Params = { id: string };

export const GET = apiRoute<Params>(async ({ user, params }) => json(await getRequest(user, params.id)));

export const PATCH = apiRoute<Params>(async ({ user, meta, params, body }) => json(await updateRequest(user, params.id, body, meta)), { body: 'required' });
