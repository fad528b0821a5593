import 'server-only';
// The shape every v1 route handler shares: authenticate, parse JSON, call one domain function, map the result.
import { requireUserFromRequest, metaFromRequest, type CurrentUser, type RequestMeta } from '../auth/current-user';
import { AppError } from '../app-error';
import { problemFromError } from './problem';
import { localeFromAcceptLanguage } from '../i18n/locales';

type Ctx<P> = { params: Promise<P> };
type Handler<P> = (args: { request: Request; user: CurrentUser; meta: RequestMeta; params: P }) => Promise<Response>;

const MAX_BODY_BYTES = 64 * 1024;

export function apiRoute<P = Record<string, never>>(handler: Handler<P>) {
  return async (request: Request, ctx: Ctx<P>): Promise<Response> => {
    const locale = localeFromAcceptLanguage(request.headers.get('accept-language'));
    try {
      const user = await requireUserFromRequest(request);
      const params = ctx?.params ? await ctx.params : ({} as P);
      return await handler({ request, user, meta: metaFromRequest(request), params });
    } catch (error) {
      return problemFromError(error, locale);
    }
  };
}


export async function readJson(request: Request): Promise<unknown> {
  const type = request.headers.get('content-type') ?? '';
  if (!type.includes('application/json')) throw new AppError('BAD_REQUEST', 'Send a JSON body with Content-Type: application/json.');
  const text = await request.text();
  if (Buffer.byteLength(text) > MAX_BODY_BYTES) throw new AppError('BAD_REQUEST', `The body is larger than ${MAX_BODY_BYTES} bytes.`);
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError('BAD_REQUEST', 'The body is not valid JSON.');
  }
}

export function json(data: unknown, status = 200): Response {
  return Response.json(data, { status });
}
