import { apiRoute, json, readJson } from '@/server/http/handle';
import { addComment, listComments } from '@/server/requests/comments';

type Params = { id: string };

export const GET = apiRoute<Params>(async ({ user, params }) => json({ items: await listComments(user, params.id) }));

export const POST = apiRoute<Params>(async ({ request, user, meta, params }) => json(await addComment(user, params.id, await readJson(request), meta), 201));
