import { apiRoute, json } from '@/server/http/handle';
import { rollbackConfig } from '@/server/config-versions/rollback-config';

export const POST = apiRoute<{ slug: string }>(async ({ user, meta, params, body }) => json(await rollbackConfig(user, params.slug, body, meta), 201), { body: 'required' });
