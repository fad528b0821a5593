import 'server-only';
// The shape every v1 route handler shares: authenticate, refuse cross-site cookie requests, read the body
// (once, bounded), call one domain function, map the result.
import { requireUserFromRequest, type CurrentUser } from '../auth/current-user';
import { requestMeta, type RequestMeta } from '../core/request-meta';
import { problemFromError } from './problem';
import { localeFromAcceptLanguage } from '../i18n/locales';
import { readJsonBody } from './body';
import { requireSameOrigin, UNSAFE_METHODS } from './same-origin';

type Ctx<P> = { params: Promise<P> };
type Handler<P> = (args: { request: Request; user: CurrentUser; meta: RequestMeta; params: P; body: unknown }) => Promise<Response>;
/** 'required': a JSON body must be sent; 'optional' (the default for writes): an empty body reads as undefined. */
type Options = { body?: 'required' | 'optional' };

export function apiRoute<P = Record<string, never>>(handler: Handler<P>, options: Options = {}) {
  return async (request: Request, ctx: Ctx<P>): Promise<Response> => {
    const locale = localeFromAcceptLanguage(request.headers.get('accept-language'));
    try {
      const user = await requireUserFromRequest(request);
      const unsafe = UNSAFE_METHODS.has(request.method.toUpperCase());
      if (unsafe && user.via === 'session') requireSameOrigin(request);
      // Every write reads its body here, even one that ignores it, so none can be made to buffer a huge one.
      const body = unsafe ? await readJsonBody(request, { optional: options.body !== 'required' }) : undefined;
      const params = ctx?.params ? await ctx.params : ({} as P);
      return await handler({ request, user, meta: requestMeta(request.headers), params, body });
    } catch (error) {
      return problemFromError(error, locale);
    }
  };
}

export function json(data: unknown, status = 200): Response {
  return Response.json(data, { status });
}
