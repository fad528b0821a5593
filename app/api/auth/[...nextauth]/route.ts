import { handlers } from '@/server/auth/auth';
import { authRoute } from '@/server/http/auth-route';

export const { GET } = handlers;
export const POST = authRoute(handlers.POST);
