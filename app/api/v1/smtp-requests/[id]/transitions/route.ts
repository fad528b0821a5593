import { apiRoute, json } from '@/server/http/handle';
import { transitionRequest } from '@/server/requests/transition-request';

type Params = { id: string };

export const POST = apiRoute<Params>(async ({ user, meta, params, body }) => json(await transitionRequest(user, params.id, body, meta)), { body: 'required' });
