import { apiRoute, json } from '@/server/http/handle';
import { pipelineHealth } from '@/server/pipeline/list-deliveries';
import { updatePipeline } from '@/server/pipeline/manage-pipeline';

/** The tenant's pipeline: active version, paused or not, limits, and delivery health over the last day. */
export const GET = apiRoute<{ slug: string }>(async ({ user, params }) => json(await pipelineHealth(user, params.slug)));

/** { paused?, reason?, maxConnections?, ratePerMinute? } (TAM, admin). */
export const PATCH = apiRoute<{ slug: string }>(
  async ({ user, meta, params, body }) => {
    await updatePipeline(user, params.slug, body, meta);
    return json(await pipelineHealth(user, params.slug));
  },
  { body: 'required' },
);
