import { apiRoute, json } from '@/server/http/handle';
import { parseOrThrow } from '@/server/core/parse';
import { applyRequest } from '@/server/config-versions/apply-request';
import { ApplySchema } from '@/lib/smtp-request-schema';

// Body optional: { force: true, reason } applies over a later failed check or a failing sending domain (audited).
export const POST = apiRoute<{ id: string }>(async ({ user, meta, params, body }) => {
  const { force = false, reason = '' } = parseOrThrow(ApplySchema, body ?? {});
  return json(await applyRequest(user, params.id, meta, { force, reason }), 201);
});
