import 'server-only';
// What the admin page shows about Relaydesk's own mail: where it goes (never the password) and the queue.
import { db } from '../db';
import { ownMailStatus, type OwnMailStatus } from './own-mail-config';

export async function ownMailOverview(): Promise<{ status: OwnMailStatus; queued: number; dead: number }> {
  const [queued, dead] = await Promise.all([db.ownMail.count({ where: { status: { in: ['queued', 'retrying'] } } }), db.ownMail.count({ where: { status: 'dead' } })]);
  return { status: ownMailStatus(), queued, dead };
}
