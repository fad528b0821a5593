import 'server-only';
// Maps errors to application/problem+json, once. Field messages are catalog keys, sent translated.
import { z } from 'zod';
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

/** The application/problem+json body of every refusal (RFC 9457); `errors` names each bad field. */
export const ProblemSchema = z.object({
  type: z.string(),
  status: z.number().int(),
  title: z.string(),
  detail: z.string(),
  code: z.string().optional().describe('The error code (AppError), e.g. VALIDATION_FAILED'),
  errors: z.array(z.object({ path: z.string(), message: z.string().describe('Translated (Accept-Language)'), code: z.string() })).optional(),
  reason: z.string().optional().describe('A machine-readable reason a client acts on, e.g. why apply was refused'),
  failedRunId: z.string().optional(),
});
type ProblemExtra = Partial<Pick<z.input<typeof ProblemSchema>, 'code' | 'errors' | 'reason' | 'failedRunId'>>;

export function problem(status: number, detail: string, extra: ProblemExtra = {}, headers: Record<string, string> = {}): Response {
  const body: z.input<typeof ProblemSchema> = { type: 'about:blank', status, title: TITLES[status] ?? 'Error', detail, ...extra };
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/problem+json', ...headers },
  });
}

export function problemFromError(error: unknown, locale = 'en'): Response {
  if (error instanceof AppError) {
    const status = HTTP_STATUS[error.code];
    const extra: ProblemExtra = { code: error.code };
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
