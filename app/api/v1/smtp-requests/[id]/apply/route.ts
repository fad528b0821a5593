import { apiRoute, json, readJson } from '@/server/http/handle';
import { applyRequest } from '@/server/config-versions/apply-request';
import { AppError } from '@/server/app-error';

// Body optional: { overrideReason } applies over a failing sending domain (issue 15).
export const POST = apiRoute<{ id: string }>(async ({ request, user, meta, params }) => {
  const body = request.headers.get('content-type')?.includes('application/json') ? await readJson(request) : {};
  const overrideReason = (body as { overrideReason?: unknown } | null)?.overrideReason ?? '';
  if (typeof overrideReason !== 'string') throw new AppError('VALIDATION_FAILED', 'overrideReason must be a string.', { errors: [{ path: 'overrideReason', message: 'invalid' }] });
  return json(await applyRequest(user, params.id, meta, { overrideReason }), 201);
});
