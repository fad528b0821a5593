import { apiRoute, json } from '@/server/http/handle';
import { addComment, listComments } from '@/server/requests/comments';

type Params = { id: string };

export const GET = apiRoute<Params>(async ({ user, params }) => json({ items: await listComments(user, params.id) }));

export const POST = apiRoute<Params>(async ({ user, meta, params, body }) => json(await addComment(user, params.id, body, meta), 201), { body: 'required' });
