import 'server-only';
// Every admin function is its own gate (issue 17): called for a person, it checks admin.manage itself, like
// the rest of the domain; the command line, the seed and the tests call it as the operator, an actor of
// type 'system' — whoever runs those already holds the machine.
import { AppError } from '../app-error';
import type { CurrentUser, RequestMeta } from '../auth/current-user';
import { requirePermission } from '../authz/scopes';
import { actorOf } from '../audit/actor';
import type { Actor } from '../audit/record-event';

export type AdminCaller = CurrentUser | Actor;

/** The actor to audit, once the caller may manage: a user needs admin.manage; an actor must be the operator's. */
export function adminActor(caller: AdminCaller, meta?: Partial<RequestMeta>): Actor {
  if ('role' in caller) {
    requirePermission(caller, 'admin.manage');
    return actorOf(caller, meta);
  }
  if (caller.type !== 'system') throw new AppError('FORBIDDEN', 'Only an admin, or an operator on the command line, may do this.');
  return caller;
}
