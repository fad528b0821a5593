import 'server-only';
// A customer's check answers like a TAM's probe: the run as JSON, or its steps streamed as NDJSON.
import type { CurrentUser, RequestMeta } from '../auth/current-user';
import { checkRequestSettings, checkSettings } from '../probes/check-settings';
import { localeFromAcceptLanguage } from '../i18n/locales';
import type { ProbeStep } from '../smtp/types';
import { progressResponse } from './progress-response';

/** What is checked: the settings in the body (before filing), or a request's stored ones. */
export type CheckSubject = { body: unknown } | { requestId: string };

export async function checkResponse(request: Request, user: CurrentUser, meta: RequestMeta, subject: CheckSubject): Promise<Response> {
  const locale = localeFromAcceptLanguage(request.headers.get('accept-language'));
  return progressResponse<ProbeStep>(request, { progress: 'step', result: 'run' }, (onStep) => {
    const options = { meta, locale, signal: request.signal, onStep };
    return 'requestId' in subject ? checkRequestSettings(user, subject.requestId, options) : checkSettings(user, subject.body, options);
  });
}
