import { apiRoute } from '@/server/http/handle';
import { progressResponse } from '@/server/http/progress-response';
import { requirePermission } from '@/server/authz/scopes';
import { verifyChain, type VerifyProgress } from '@/server/audit/verify-chain';

// JSON { ok, checked, firstBrokenSeq, checkpoints }; with Accept: application/x-ndjson, a line
// { type: 'progress', progress: { checked, total } } per page of events, then { type: 'report', report }.
export const GET = apiRoute(async ({ request, user }) => {
  requirePermission(user, 'audit.read');
  return progressResponse<VerifyProgress>(request, { progress: 'progress', result: 'report' }, (onProgress) => verifyChain({ onProgress, signal: request.signal }));
});
