import 'server-only';
// Appends one event to the hash chain, inside the caller's transaction (house style: audit in the same transaction).
import type { Tx } from '../db';
import { isPostgres } from '../db';
import type { AuditAction } from '@/lib/audit-actions';
import { canonicalJson, eventHash, GENESIS_HASH } from './canonical';
import { notifyEvent } from '../notifications/notify-event';

export type Actor = {
  type: 'user' | 'token' | 'system';
  id: string | null;
  label: string;
  ip?: string | null;
  userAgent?: string | null;
  requestId?: string | null;
};

export type AuditInput = {
  action: AuditAction;
  tenantId?: string | null;
  targetType: string;
  targetId?: string | null;
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
};

export const SYSTEM_ACTOR: Actor = { type: 'system', id: null, label: 'system' };

// Fields whose values are secrets, at any depth: an event only ever says whether they changed.
const SECRET_FIELDS = new Set(['password', 'passwordcipher', 'token', 'tokenhash', 'secret', 'apikey', 'privatekey']);
const SECRET_STATES = new Set(['changed', 'unchanged', 'set', 'not set']);

function scrubValue(key: string, value: unknown): unknown {
  if (SECRET_FIELDS.has(key.toLowerCase())) return typeof value === 'string' && SECRET_STATES.has(value) ? value : 'changed';
  if (Array.isArray(value)) return value.map((v) => scrubValue('', v));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrubValue(k, v)]));
  return value;
}

function scrub(value: Record<string, unknown> | null | undefined): string | null {
  return value ? canonicalJson(scrubValue('', value)) : null;
}

export async function recordEvent(tx: Tx, actor: Actor, input: AuditInput): Promise<number> {
  // PostgreSQL: writers queue on one lock so the chain never forks. SQLite: the database write lock does that.
  if (isPostgres) await tx.$executeRawUnsafe('SELECT pg_advisory_xact_lock(727002)');
  const head = await tx.auditEvent.findFirst({ orderBy: { seq: 'desc' }, select: { seq: true, hash: true, at: true } });
  const fields = {
    seq: (head?.seq ?? 0) + 1,
    // Never before the previous event, even if the clock steps back: times follow the chain, which is
    // what lets a time filter become a seq range (audit-query.ts).
    at: new Date(Math.max(Date.now(), head?.at.getTime() ?? 0)).toISOString(),
    actorType: actor.type,
    actorId: actor.id,
    actorLabel: actor.label,
    tenantId: input.tenantId ?? null,
    action: input.action,
    targetType: input.targetType,
    targetId: input.targetId ?? null,
    before: scrub(input.before),
    after: scrub(input.after),
    ip: actor.ip ?? null,
    userAgent: actor.userAgent?.slice(0, 500) ?? null,
    requestId: actor.requestId ?? null,
    prevHash: head?.hash ?? GENESIS_HASH,
  };
  await tx.auditEvent.create({ data: { ...fields, at: new Date(fields.at), hash: eventHash(fields) } });
  // Who hears about it (in-app and Relaydesk's own mail), in this same transaction (server/notifications).
  await notifyEvent(tx, actor, input, fields.seq);
  return fields.seq;
}
