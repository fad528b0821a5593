import { apiRoute } from '@/server/http/handle';
import { revokePipelineToken } from '@/server/pipeline/pipeline-tokens';

export const DELETE = apiRoute<{ slug: string; id: string }>(async ({ user, meta, params }) => {
  await revokePipelineToken(user, params.slug, params.id, meta);
  return new Response(null, { status: 204 });
});
