import { apiRoute } from '@/server/http/handle';
import { probeResponse } from '@/server/http/probe-response';
import { TestSendSchema } from '@/lib/smtp-request-schema';
import { parseOrThrow } from '@/server/core/parse';

export const POST = apiRoute<{ id: string }>(async ({ request, user, meta, params, body }) => {
  // The body is optional: without one, the test goes to the request's test recipient.
  const { to } = parseOrThrow(TestSendSchema, body ?? {});
  return probeResponse(request, user, meta, params.id, { kind: 'test-send', to });
});
