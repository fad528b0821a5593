import 'server-only';
// Slow work answers with its result as JSON, or — when the client asks for application/x-ndjson —
// streams a line per step of progress as it happens and then a line with the result, so a page can show
// how far it has got. Closing the connection aborts request.signal, which the work is given.
import { AppError } from '../app-error';
import { localeFromAcceptLanguage } from '../i18n/locales';
import { logError } from '../log';
import { problemFromError } from './problem';
import { json } from './handle';

/** The lines' type names: { type: progress, [progress]: … } for each step, then { type: result, [result]: … }
 * (or { type: 'error', problem } with the problem+json body a plain request would have had). */
type LineNames = { progress: string; result: string };

export async function progressResponse<P>(request: Request, names: LineNames, work: (onProgress?: (progress: P) => void) => Promise<unknown>): Promise<Response> {
  if (!(request.headers.get('accept') ?? '').includes('application/x-ndjson')) return json(await work());
  const locale = localeFromAcceptLanguage(request.headers.get('accept-language'));
  const encoder = new TextEncoder();
  let open = true;
  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      const send = (value: unknown) => open && controller.enqueue(encoder.encode(`${JSON.stringify(value)}\n`));
      try {
        const result = await work((progress) => send({ type: names.progress, [names.progress]: progress }));
        send({ type: names.result, [names.result]: result });
      } catch (error) {
        if (request.signal.aborted) return;
        if (!(error instanceof AppError)) logError(`${names.result} stream failed`, error);
        send({ type: 'error', problem: await problemFromError(error, locale).json() });
      } finally {
        if (open) controller.close();
        open = false;
      }
    },
    cancel() {
      open = false;
    },
  });
  return new Response(stream, { headers: { 'content-type': 'application/x-ndjson; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' } });
}
