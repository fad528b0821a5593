// Calls the real v1 route handlers in-process, as the HTTP server would, with a Bearer token.
import * as requests from '@/app/api/v1/smtp-requests/route';
import * as requestById from '@/app/api/v1/smtp-requests/[id]/route';
import * as comments from '@/app/api/v1/smtp-requests/[id]/comments/route';
import * as transitions from '@/app/api/v1/smtp-requests/[id]/transitions/route';
import * as validate from '@/app/api/v1/smtp-requests/[id]/validate/route';
import * as testSend from '@/app/api/v1/smtp-requests/[id]/test-send/route';
import * as smtpChecks from '@/app/api/v1/smtp-checks/route';
import * as requestCheck from '@/app/api/v1/smtp-requests/[id]/check/route';
import * as probeRuns from '@/app/api/v1/smtp-requests/[id]/probe-runs/route';
import * as bundle from '@/app/api/v1/probe-runs/[id]/bundle/route';
import * as auditEvents from '@/app/api/v1/audit-events/route';
import * as auditExport from '@/app/api/v1/audit-events/export/route';
import * as auditVerify from '@/app/api/v1/audit-events/verify/route';
import * as openapi from '@/app/api/v1/openapi.json/route';
import * as health from '@/app/api/health/route';
import * as apply from '@/app/api/v1/smtp-requests/[id]/apply/route';
import * as smtpConfig from '@/app/api/v1/tenants/[slug]/smtp-config/route';
import * as rollback from '@/app/api/v1/tenants/[slug]/smtp-config/rollback/route';
import * as notifications from '@/app/api/v1/tenants/[slug]/notifications/route';
import * as deliveries from '@/app/api/v1/tenants/[slug]/deliveries/route';
import * as retryDelivery from '@/app/api/v1/tenants/[slug]/deliveries/[id]/retry/route';
import * as pipeline from '@/app/api/v1/tenants/[slug]/pipeline/route';
import * as pipelineTokens from '@/app/api/v1/tenants/[slug]/pipeline-tokens/route';
import * as pipelineToken from '@/app/api/v1/tenants/[slug]/pipeline-tokens/[id]/route';
import * as notices from '@/app/api/v1/notices/route';
import * as noticeRead from '@/app/api/v1/notices/[id]/read/route';
import * as noticesReadAll from '@/app/api/v1/notices/read-all/route';

type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response> | Response;
type RouteModule = Partial<Record<'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', Handler>>;

/** Every v1 route file, by its URL pattern. The isolation test fails when app/api has a route not listed here. */
export const V1_ROUTES: Record<string, RouteModule> = {
  '/api/v1/smtp-requests': requests as RouteModule,
  '/api/v1/smtp-requests/[id]': requestById as RouteModule,
  '/api/v1/smtp-requests/[id]/comments': comments as RouteModule,
  '/api/v1/smtp-requests/[id]/transitions': transitions as RouteModule,
  '/api/v1/smtp-requests/[id]/validate': validate as RouteModule,
  '/api/v1/smtp-requests/[id]/test-send': testSend as RouteModule,
  '/api/v1/smtp-requests/[id]/probe-runs': probeRuns as RouteModule,
  '/api/v1/smtp-checks': smtpChecks as RouteModule,
  '/api/v1/smtp-requests/[id]/check': requestCheck as RouteModule,
  '/api/v1/probe-runs/[id]/bundle': bundle as RouteModule,
  '/api/v1/audit-events': auditEvents as RouteModule,
  '/api/v1/audit-events/export': auditExport as RouteModule,
  '/api/v1/audit-events/verify': auditVerify as RouteModule,
  '/api/v1/openapi.json': openapi as unknown as RouteModule,
  '/api/health': health as unknown as RouteModule,
  '/api/v1/smtp-requests/[id]/apply': apply as RouteModule,
  '/api/v1/tenants/[slug]/smtp-config': smtpConfig as RouteModule,
  '/api/v1/tenants/[slug]/smtp-config/rollback': rollback as RouteModule,
  '/api/v1/tenants/[slug]/notifications': notifications as unknown as RouteModule,
  '/api/v1/tenants/[slug]/deliveries': deliveries as RouteModule,
  '/api/v1/tenants/[slug]/deliveries/[id]/retry': retryDelivery as RouteModule,
  '/api/v1/tenants/[slug]/pipeline': pipeline as RouteModule,
  '/api/v1/tenants/[slug]/pipeline-tokens': pipelineTokens as RouteModule,
  '/api/v1/tenants/[slug]/pipeline-tokens/[id]': pipelineToken as RouteModule,
  '/api/v1/notices': notices as RouteModule,
  '/api/v1/notices/read-all': noticesReadAll as RouteModule,
  '/api/v1/notices/[id]/read': noticeRead as RouteModule,
};

function match(pathname: string): { module: RouteModule; params: Record<string, string> } {
  for (const [pattern, module] of Object.entries(V1_ROUTES)) {
    const names: string[] = [];
    const re = new RegExp(`^${pattern.replace(/\[(\w+)\]/g, (_, n: string) => (names.push(n), '([^/]+)'))}$`);
    const m = re.exec(pathname);
    if (m) return { module, params: Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(m[i + 1] ?? '')])) };
  }
  throw new Error(`No route for ${pathname}`);
}

export type ApiResult = { status: number; body: any; text: string; headers: Headers };

export async function api(method: string, url: string, opts: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {}): Promise<ApiResult> {
  const full = new URL(url, 'http://relaydesk.test');
  const { module, params } = match(full.pathname);
  const handler = module[method as keyof RouteModule];
  if (!handler) return { status: 405, body: null, text: '', headers: new Headers() };
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let body: string | undefined;
  if (opts.rawBody !== undefined) body = opts.rawBody;
  else if (opts.body !== undefined) body = JSON.stringify(opts.body);
  if (body !== undefined) headers['content-type'] ??= 'application/json';
  const response = await handler(new Request(full, { method, headers, body }), { params: Promise.resolve(params) });
  const text = await response.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  return { status: response.status, body: parsed, text, headers: response.headers };
}
