import 'server-only';
// Maps errors to application/problem+json, once. Field messages are catalog keys, sent translated.
import { AppError, HTTP_STATUS } from '../app-error';
import { translateFieldMessage } from '../i18n/translate';
import { logError } from '../log';

const TITLES: Record<number, string> = {
  400: 'Bad request',
  401: 'Unauthenticated',
  403: 'Forbidden',
  404: 'Not found',
  409: 'Conflict',
  413: 'Payload too large',
  415: 'Unsupported media type',
  422: 'Invalid input',
  429: 'Too many requests',
  500: 'Internal error',
};

export function problem(status: number, detail: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify({ type: 'about:blank', status, title: TITLES[status] ?? 'Error', detail, ...extra }), {
    status,
    headers: { 'content-type': 'application/problem+json', ...headers },
  });
}

export function problemFromError(error: unknown, locale = 'en'): Response {
  if (error instanceof AppError) {
    const status = HTTP_STATUS[error.code];
    const extra: Record<string, unknown> = { code: error.code };
    // Machine-readable reasons a client acts on (e.g. apply's `reason` and `failedRunId`); never free text from a server.
    for (const key of ['reason', 'failedRunId'] as const) if (typeof error.details[key] === 'string') extra[key] = error.details[key];
    if (error.details.errors) {
      extra.errors = error.details.errors.map((e) => ({ path: e.path, message: translateFieldMessage(e.message, locale), code: e.message }));
    }
    const headers: Record<string, string> = {};
    if (error.details.retryAfterSeconds) headers['retry-after'] = String(error.details.retryAfterSeconds);
    return problem(status, error.message, extra, headers);
  }
  logError('unhandled error in API route', error);
  return problem(500, 'Something went wrong on our side. It has been logged.');
}
