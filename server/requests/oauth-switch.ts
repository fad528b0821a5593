import 'server-only';
import { db } from '../db';
import type { CurrentUser } from '../auth/current-user';
import { requestsVisibleTo, requirePermission } from '../authz/scopes';
import { microsoftCloudOfHost } from '@/lib/providers';
import type { OAuthCloud } from '../oauth/oauth-settings';
import type { ProbeStep } from '../smtp/types';

// Whether the customer should be offered the one-click switch to OAuth: the latest live check of the
// request's current configuration (a password) was refused with 550 5.7.30, Basic authentication off.
// Customers do not read probe runs (transcripts are staff's); this says only that one fact, and the
// Microsoft cloud of the request's host (decision 025).

export type OAuthSwitch = { cloud: OAuthCloud; reply: string };

export async function oauthSwitchFor(user: CurrentUser, requestId: string): Promise<OAuthSwitch | null> {
  requirePermission(user, 'request.read');
  const request = await db.smtpRequest.findFirst({ where: { id: requestId, ...requestsVisibleTo(user) }, select: { id: true, host: true, authMethod: true, fingerprint: true } });
  if (!request || request.authMethod === 'oauth2') return null;
  const run = await db.probeRun.findFirst({ where: { requestId: request.id, fingerprint: request.fingerprint }, orderBy: { startedAt: 'desc' }, select: { steps: true } });
  if (!run) return null;
  const refused = (JSON.parse(run.steps) as ProbeStep[]).find((s) => s.hint?.code === 'M365_BASIC_AUTH_OFF');
  if (!refused) return null;
  return { cloud: microsoftCloudOfHost(request.host), reply: refused.reply.split('\n')[0] ?? '' };
}
