import { apiRoute, json, readJson } from '@/server/http/handle';
import { rollbackConfig } from '@/server/config-versions/rollback-config';

export const POST = apiRoute<{ slug: string }>(async ({ request, user, meta, params }) => json(await rollbackConfig(user, params.slug, await readJson(request), meta), 201));
