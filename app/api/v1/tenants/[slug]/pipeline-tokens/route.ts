import { apiRoute, json } from '@/server/http/handle';
import { createPipelineToken, listPipelineTokens } from '@/server/pipeline/pipeline-tokens';

export const GET = apiRoute<{ slug: string }>(async ({ user, params }) => json({ items: await listPipelineTokens(user, params.slug) }));

/** The token is in this answer only; it is stored hashed. */
export const POST = apiRoute<{ slug: string }>(async ({ user, meta, params }) => json(await createPipelineToken(user, params.slug, meta), 201));
