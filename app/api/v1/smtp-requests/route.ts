import { apiRoute, json } from '@/server/http/handle';
import { createRequest } from '@/server/requests/create-request';
import { listRequests } from '@/server/requests/list-requests';

export const GET = apiRoute(async ({ request, user }) => {
  const q = new URL(request.url).searchParams;
  const input = Object.fromEntries([...q.entries()].filter(([, v]) => v !== ''));
  return json(await listRequests(user, input));
});

export const POST = apiRoute(async ({ user, meta, body }) => json(await createRequest(user, body, meta), 201), { body: 'required' });
