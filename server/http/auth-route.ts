import 'server-only';
// next-auth's own POST endpoints read their form bodies themselves, unbounded: the body is read here first,
// through the same bounded reader as every other route, and handed on already read.
import { NextRequest } from 'next/server';
import { readBodyBytes, MAX_JSON_BODY_BYTES } from './body';
import { problemFromError } from './problem';

export function authRoute(handler: (request: NextRequest) => Promise<Response>) {
  return async (request: NextRequest): Promise<Response> => {
    try {
      const body = await readBodyBytes(request, MAX_JSON_BODY_BYTES);
      return await handler(new NextRequest(request.url, { method: request.method, headers: request.headers, body: new Uint8Array(body) }));
    } catch (error) {
      return problemFromError(error);
    }
  };
}
