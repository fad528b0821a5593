import { apiRoute, json } from '@/server/http/handle';
import { getSmtpConfig } from '@/server/config-versions/list-config-versions';

export const GET = apiRoute<{ slug: string }>(async ({ user, params }) => json(await getSmtpConfig(user, params.slug)));
