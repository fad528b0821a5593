import 'server-only';
import { db } from '../db';
import { AppError } from '../app-error';
import type { CurrentUser } from '../auth/current-user';
import { requestsVisibleTo, requirePermission } from '../authz/scopes';
import { toProbeRunView, type ProbeRunView } from './probe-run-view';

/** Of these actors, the ones who are the tenant's own people (a customer's check, not a TAM's run). */
async function customerActors(tenantId: string, actorIds: string[]): Promise<Set<string>> {
  const users = await db.user.findMany({ where: { id: { in: [...new Set(actorIds)] }, tenantId }, select: { id: true } });
  return new Set(users.map((u) => u.id));
}

export async function listProbeRuns(user: CurrentUser, requestId: string, limit = 20): Promise<ProbeRunView[]> {
  const request = await db.smtpRequest.findFirst({ where: { id: requestId, ...requestsVisibleTo(user) }, select: { fingerprint: true, tenantId: true } });
  if (!request) throw new AppError('NOT_FOUND', 'No such request.');
  requirePermission(user, 'probe.read');
  const rows = await db.probeRun.findMany({ where: { requestId }, orderBy: { startedAt: 'desc' }, take: limit });
  const customers = await customerActors(
    request.tenantId,
    rows.map((r) => r.actorId),
  );
  return rows.map((r) => toProbeRunView(r, request.fingerprint, { byCustomer: customers.has(r.actorId) }));
}

/** A customer admin's view of a request's checks: only those the tenant's customers ran (decision 023). */
export async function listCustomerChecks(user: CurrentUser, requestId: string, limit = 10): Promise<ProbeRunView[]> {
  const request = await db.smtpRequest.findFirst({ where: { id: requestId, ...requestsVisibleTo(user) }, select: { fingerprint: true, tenantId: true } });
  if (!request) throw new AppError('NOT_FOUND', 'No such request.');
  requirePermission(user, 'request.check');
  const customers = await db.user.findMany({ where: { tenantId: request.tenantId }, select: { id: true } });
  const rows = await db.probeRun.findMany({ where: { requestId, actorId: { in: customers.map((u) => u.id) } }, orderBy: { startedAt: 'desc' }, take: limit });
  return rows.map((r) => toProbeRunView(r, request.fingerprint, { byCustomer: true }));
}

/** One run with its request, for the diagnostics bundle (a check before filing has no request, hence no bundle). */
export async function getProbeRunWithRequest(user: CurrentUser, runId: string) {
  const run = await db.probeRun.findUnique({ where: { id: runId } });
  const request = run?.requestId
    ? await db.smtpRequest.findFirst({ where: { id: run.requestId, ...requestsVisibleTo(user) }, include: { tenant: { select: { slug: true } } } })
    : null;
  if (!run || !request) throw new AppError('NOT_FOUND', 'No such probe run.');
  requirePermission(user, 'probe.read');
  return { run: toProbeRunView(run, request.fingerprint), request };
}
