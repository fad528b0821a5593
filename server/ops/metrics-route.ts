import 'server-only';
import { timingSafeEqual, createHash } from 'node:crypto';
import { metrics } from './metrics';

const digest = (text: string) => createHash('sha256').update(text).digest();

export async function metricsResponse(request: Request): Promise<Response> {
  const expected = process.env.RELAYDESK_METRICS_TOKEN;
  if (!expected) return new Response('Not found', { status: 404 });
  const given = /^Bearer\s+(\S+)$/i.exec(request.headers.get('authorization') ?? '')?.[1] ?? '';
  // Compare digests: equal length, so the comparison takes the same time whatever was sent.
  if (!timingSafeEqual(digest(given), digest(expected))) {
    return new Response('Send "Authorization: Bearer <RELAYDESK_METRICS_TOKEN>".', { status: 401, headers: { 'www-authenticate': 'Bearer' } });
  }
  const { registry } = metrics();
  return new Response(await registry.metrics(), { headers: { 'content-type': registry.contentType, 'cache-control': 'no-store' } });
}
