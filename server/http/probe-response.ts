import 'server-only';
// A probe answers with the finished run as JSON, or streams each step as it completes and then the run
// (progressResponse), so the console shows the conversation live. Closing the connection cancels the probe.
import type { CurrentUser, RequestMeta } from '../auth/current-user';
import { runRequestProbe, type ProbeRequestOptions } from '../probes/run-request-probe';
import { localeFromAcceptLanguage } from '../i18n/locales';
import type { ProbeStep } from '../smtp/types';
import { progressResponse } from './progress-response';

export async function probeResponse(
  request: Request,
  user: CurrentUser,
  meta: RequestMeta,
  requestId: string,
  options: Pick<ProbeRequestOptions, 'kind' | 'to'>,
): Promise<Response> {
  const locale = localeFromAcceptLanguage(request.headers.get('accept-language'));
  return progressResponse<ProbeStep>(request, { progress: 'step', result: 'run' }, (onStep) =>
    runRequestProbe(user, requestId, { ...options, meta, locale, signal: request.signal, onStep }),
  );
}
