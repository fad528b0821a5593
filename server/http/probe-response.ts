import 'server-only';
// A probe answers with the finished run as JSON, or — when the client asks for application/x-ndjson —
// streams each step as it completes and then the run, so the console shows the conversation live.
// Closing the connection cancels the probe.
import type { CurrentUser, RequestMeta } from '../auth/current-user';
import { runRequestProbe, type ProbeRequestOptions } from '../probes/run-request-probe';
import { localeFromAcceptLanguage } from '../i18n/locales';
import { AppError } from '../app-error';
import { logError } from '../log';
import { problemFromError } from './problem';
import { json } from './handle';

export async function probeResponse(request: Request, user: CurrentUser, meta: RequestMeta, requestId: string, options: Pick<ProbeRequestOptions, 'kind' | 'to'>): Promise<Response> {
  const locale = localeFromAcceptLanguage(request.headers.get('accept-language'));
  const base = { ...options, meta, locale, signal: request.signal };
  if (!(request.headers.get('accept') ?? '').includes('application/x-ndjson')) {
    return json(await runRequestProbe(user, requestId, base));
  }
  const encoder = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      const send = (value: unknown) => controller.enqueue(encoder.encode(`${JSON.stringify(value)}\n`));
      try {
        const run = await runRequestProbe(user, requestId, { ...base, onStep: (step) => send({ type: 'step', step }) });
        send({ type: 'run', run });
      } catch (error) {
        if (!(error instanceof AppError)) logError('probe stream failed', error);
        const problem = await problemFromError(error, locale).json();
        send({ type: 'error', problem });
      } finally {
        controller.close();
      }
    },
  });
  return new Response(stream, { headers: { 'content-type': 'application/x-ndjson; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' } });
}
