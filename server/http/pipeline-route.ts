import 'server-only';
// Route handlers the hosting service calls with a tenant's pipeline token (not a person's token):
// the token names the tenant; the slug in the URL must be that tenant, or the answer is 404.
import { AppError } from '../app-error';
import { localeFromAcceptLanguage } from '../i18n/locales';
import { tenantOfPipelineToken, type PipelineTokenOwner } from '../pipeline/pipeline-tokens';
import { problemFromError } from './problem';
import { readJsonBody } from './body';

type Ctx = { params: Promise<{ slug: string }> };
type Handler = (args: { request: Request; tenantId: string; tokenId: string; owner: PipelineTokenOwner; body: unknown }) => Promise<Response>;

/** The body is JSON of at most maxBodyBytes, read once here (server/http/body.ts). */
export function pipelineRoute(handler: Handler, { maxBodyBytes }: { maxBodyBytes: number }) {
  return async (request: Request, ctx: Ctx): Promise<Response> => {
    const locale = localeFromAcceptLanguage(request.headers.get('accept-language'));
    try {
      const match = /^Bearer\s+(\S+)$/i.exec(request.headers.get('authorization') ?? '');
      const owner = match?.[1] ? await tenantOfPipelineToken(match[1]) : null;
      if (!owner) throw new AppError('UNAUTHENTICATED', 'Send the tenant’s pipeline token as "Authorization: Bearer rdp_…".');
      const { slug } = await ctx.params;
      // The token's tenant comes with its slug: another tenant's slug (or none) is 404, as before.
      if (owner.slug !== slug) throw new AppError('NOT_FOUND', 'No such tenant.');
      const body = await readJsonBody(request, { maxBytes: maxBodyBytes });
      return await handler({ request, tenantId: owner.tenantId, tokenId: owner.tokenId, owner, body });
    } catch (error) {
      return problemFromError(error, locale);
    }
  };
}
