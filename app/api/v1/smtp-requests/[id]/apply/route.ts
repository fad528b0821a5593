import { apiRoute, json } from '@/server/http/handle';
import { applyRequest } from '@/server/config-versions/apply-request';

export const POST = apiRoute<{ id: string }>(async ({ user, meta, params }) => json(await applyRequest(user, params.id, meta), 201));
