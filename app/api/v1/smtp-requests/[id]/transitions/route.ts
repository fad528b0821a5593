import { apiRoute, json, readJson } from '@/server/http/handle';
import { transitionRequest } from '@/server/requests/transition-request';

type Params = { id: string };

export const POST = apiRoute<Params>(async ({ request, user, meta, params }) => json(await transitionRequest(user, params.id, await readJson(request), meta)));
