import { apiRoute, json } from '@/server/http/handle';
import { requirePermission } from '@/server/authz/scopes';
import { verifyChain } from '@/server/audit/verify-chain';

export const GET = apiRoute(async ({ user }) => {
  requirePermission(user, 'audit.read');
  return json(await verifyChain());
});
