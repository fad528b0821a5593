import type { CurrentUser, RequestMeta } from '../auth/current-user';
import type { Actor } from './record-event';

export function actorOf(user: CurrentUser, meta?: Partial<RequestMeta>): Actor {
  return {
    type: user.via === 'token' ? 'token' : 'user',
    id: user.id,
    label: user.via === 'token' ? `${user.email} (token)` : user.email,
    ip: meta?.ip ?? null,
    userAgent: meta?.userAgent ?? null,
    requestId: meta?.requestId ?? null,
  };
}
