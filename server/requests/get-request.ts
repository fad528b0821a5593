import 'server-only';
import { db } from '../db';
import { AppError } from '../app-error';
import type { CurrentUser } from '../auth/current-user';
import { requestsVisibleTo, requirePermission } from '../authz/scopes';
import { REQUEST_INCLUDE, toRequestView, type RequestRow, type RequestView } from './request-view';

export async function findVisibleRequest(user: CurrentUser, id: string): Promise<RequestRow> {
  requirePermission(user, 'request.read');
  const row = await db.smtpRequest.findFirst({ where: { id, ...requestsVisibleTo(user) }, include: REQUEST_INCLUDE });
  if (!row) throw new AppError('NOT_FOUND', 'No such request.');
  return row;
}

export async function getRequest(user: CurrentUser, id: string): Promise<RequestView> {
  return toRequestView(await findVisibleRequest(user, id));
}
