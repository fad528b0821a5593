import { apiRoute, json } from '@/server/http/handle';
import { listProbeRuns } from '@/server/probes/list-probe-runs';

export const GET = apiRoute<{ id: string }>(async ({ user, params }) => json({ items: await listProbeRuns(user, params.id) }));
