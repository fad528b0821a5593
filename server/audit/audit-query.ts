import 'server-only';
// The auditor's filter, shared by the console, the API and the export: parsed once, turned into one `where`.
import { z } from 'zod';
import { db } from '../db';
import { AppError } from '../app-error';
import { fieldErrors } from '@/lib/smtp-request-schema';

const isoDate = z
  .string()
  .max(40)
  .refine((v) => !Number.isNaN(Date.parse(v)), 'invalid');

export const AuditQuerySchema = z.object({
  tenant: z.string().max(100).optional(),
  /** A user's email or its beginning (their own actions and their tokens'), or another actor's label or its beginning (system, notification worker). */
  actor: z.string().trim().max(254).optional(),
  action: z.string().max(100).optional(),
  target: z.string().max(100).optional(),
  from: isoDate.optional(),
  to: isoDate.optional(),
  cursor: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type AuditQuery = z.output<typeof AuditQuerySchema>;

export function parseAuditQuery(input: Record<string, string | undefined>): AuditQuery {
  const clean = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = AuditQuerySchema.safeParse(clean);
  if (!parsed.success) throw new AppError('VALIDATION_FAILED', 'Invalid filter.', { errors: fieldErrors(parsed.error) });
  return parsed.data;
}

const NOTHING = { in: [] as number[] };

/**
 * The filter as one `where`: equalities on indexed columns and a range of seq, which every index ends
 * with (migration 0005), so a page is one index range read however large the trail is. An actor that is
 * a user's email matches the user's id, so their sign-ins and their tokens' calls come together. A time range
 * becomes a seq range: event times never decrease along the chain (record-event.ts), so the events in
 * [from, to] are one run of seqs, found with two lookups on the (at, seq) index. An unknown tenant, or a
 * range with no events, matches nothing.
 */
export async function auditWhere(q: AuditQuery) {
  const tenantId = q.tenant ? ((await db.tenant.findUnique({ where: { slug: q.tenant }, select: { id: true } }))?.id ?? '__none__') : undefined;
  const actor = q.actor ? await actorWhere(q.actor) : undefined;
  let seq: { gte?: number; lte?: number; in?: number[] } | undefined;
  if (q.from || q.to) {
    const first = q.from
      ? await db.auditEvent.findFirst({ where: { at: { gte: new Date(q.from) } }, orderBy: [{ at: 'asc' }, { seq: 'asc' }], select: { seq: true } })
      : { seq: 1 };
    const last = q.to ? await db.auditEvent.findFirst({ where: { at: { lte: new Date(q.to) } }, orderBy: [{ at: 'desc' }, { seq: 'desc' }], select: { seq: true } }) : null;
    seq = !first || (q.to && !last) ? NOTHING : { gte: first.seq, ...(last ? { lte: last.seq } : {}) };
  }
  return {
    ...(tenantId ? { tenantId } : {}),
    ...(actor ?? {}),
    ...(q.action ? { action: q.action.endsWith('.') ? { startsWith: q.action } : q.action } : {}),
    ...(q.target ? { targetId: q.target } : {}),
    ...(seq ? { seq } : {}),
  };
}

const OTHER_ACTORS = ['system', 'notification worker'];
const PREFIX_USERS = 100;

/**
 * The actor filter: an exact email is that user; otherwise the users whose email starts with the text (at
 * most 100) and the non-user actors whose label does, each an equality on an indexed column. A label that
 * is nobody's (a failed sign-in with an unknown email) still matches exactly.
 */
async function actorWhere(text: string) {
  const prefix = text.toLowerCase();
  const exact = await db.user.findUnique({ where: { email: prefix }, select: { id: true } });
  if (exact) return { actorId: exact.id };
  const users = await db.user.findMany({ where: { email: { startsWith: prefix } }, select: { id: true }, orderBy: { email: 'asc' }, take: PREFIX_USERS });
  const labels = [...new Set([text, ...OTHER_ACTORS.filter((l) => l.startsWith(prefix))])];
  return users.length ? { OR: [{ actorId: { in: users.map((u) => u.id) } }, { actorLabel: { in: labels } }] } : { actorLabel: { in: labels } };
}

/** A where with the seq range narrowed further (a cursor, an export's progress): both bounds apply. */
export function withSeq<W extends { seq?: object }>(where: W, more: { lt?: number; gt?: number }) {
  return { ...where, seq: { ...where.seq, ...more } };
}
