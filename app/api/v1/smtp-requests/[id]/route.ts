import { apiRoute, json, readJson } from '@/server/http/handle';
import { getRequest } from '@/server/requests/get-request';
import { updateRequest } from '@/server/requests/update-request';

type Params = { id: string };

export const GET = apiRoute<Params>(async ({ user, params }) => json(await getRequest(user, params.id)));

export const PATCH = apiRoute<Params>(async ({ request, user, meta, params }) => json(await updateRequest(user, params.id, await readJson(request), meta)));
