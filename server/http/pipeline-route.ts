import 'server-only';
// Route handlers the hosting service calls with a tenant's pipeline token (not a person's token):
// the token names the tenant; the slug in the URL must be that tenant, or the answer is 404.
import { AppError } from '../app-error';
import { localeFromAcceptLanguage } from '../i18n/locales';
import { tenantOfPipelineToken, type PipelineTokenOwner } from '../pipeline/pipeline-tokens';
import { problem, problemFromError } from './problem';

type Ctx = { params: Promise<{ slug: string }> };
type Handler = (args: { request: Request; tenantId: string; tokenId: string; owner: PipelineTokenOwner }) => Promise<Response>;

export function pipelineRoute(handler: Handler) {
  return async (request: Request, ctx: Ctx): Promise<Response> => {
    const locale = localeFromAcceptLanguage(request.headers.get('accept-language'));
    try {
      const match = /^Bearer\s+(\S+)$/i.exec(request.headers.get('authorization') ?? '');
      const owner = match?.[1] ? await tenantOfPipelineToken(match[1]) : null;
      if (!owner) throw new AppError('UNAUTHENTICATED', 'Send the tenant’s pipeline token as "Authorization: Bearer rdp_…".');
      const { slug } = await ctx.params;
      // The token's tenant comes with its slug: another tenant's slug (or none) is 404, as before.
      if (owner.slug !== slug) throw new AppError('NOT_FOUND', 'No such tenant.');
      return await handler({ request, tenantId: owner.tenantId, tokenId: owner.tokenId, owner });
    } catch (error) {
      if (error instanceof PayloadTooLarge) return problem(413, error.message);
      return problemFromError(error, locale);
    }
  };
}

class PayloadTooLarge extends Error {}

/** Like readJson, with the caller's size limit; refuses early on Content-Length and stops reading past it. */
export async function readJsonUpTo(request: Request, maxBytes: number): Promise<unknown> {
  const type = request.headers.get('content-type') ?? '';
  if (!type.includes('application/json')) throw new AppError('BAD_REQUEST', 'Send a JSON body with Content-Type: application/json.');
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > maxBytes) throw new PayloadTooLarge(`The body is larger than ${maxBytes} bytes.`);
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (request.body) {
    const reader = request.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel().catch(() => {});
        throw new PayloadTooLarge(`The body is larger than ${maxBytes} bytes.`);
      }
      chunks.push(value);
    }
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new AppError('BAD_REQUEST', 'The body is not valid JSON.');
  }
}
