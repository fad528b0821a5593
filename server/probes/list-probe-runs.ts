import 'server-only';
import { db } from '../db';
import { AppError } from '../app-error';
import type { CurrentUser } from '../auth/current-user';
import { requestsVisibleTo, requirePermission } from '../authz/scopes';
import { toProbeRunView, type ProbeRunView } from './probe-run-view';

export async function listProbeRuns(user: CurrentUser, requestId: string, limit = 20): Promise<ProbeRunView[]> {
  const request = await db.smtpRequest.findFirst({ where: { id: requestId, ...requestsVisibleTo(user) }, select: { fingerprint: true } });
  if (!request) throw new AppError('NOT_FOUND', 'No such request.');
  requirePermission(user, 'probe.read');
  const rows = await db.probeRun.findMany({ where: { requestId }, orderBy: { startedAt: 'desc' }, take: limit });
  return rows.map((r) => toProbeRunView(r, request.fingerprint));
}

/** One run with its request, for the diagnostics bundle. */
export async function getProbeRunWithRequest(user: CurrentUser, runId: string) {
  const run = await db.probeRun.findUnique({ where: { id: runId } });
  const request = run ? await db.smtpRequest.findFirst({ where: { id: run.requestId, ...requestsVisibleTo(user) }, include: { tenant: { select: { slug: true } } } }) : null;
  if (!run || !request) throw new AppError('NOT_FOUND', 'No such probe run.');
  requirePermission(user, 'probe.read');
  return { run: toProbeRunView(run, request.fingerprint), request };
}
