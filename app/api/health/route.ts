import { readiness } from '@/server/ops/readiness';

// Readiness for load balancers: 200 when the database is reachable and migrated, else 503.
export async function GET(): Promise<Response> {
  const state = await readiness();
  return Response.json(state, { status: state.ok ? 200 : 503, headers: { 'cache-control': 'no-store' } });
}
