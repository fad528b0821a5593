import { apiRoute, json } from '@/server/http/handle';
import { retryDeadLetters } from '@/server/pipeline/manage-pipeline';

export const POST = apiRoute<{ slug: string; id: string }>(async ({ user, meta, params }) => json(await retryDeadLetters(user, params.slug, params.id, meta)));
