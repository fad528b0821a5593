import 'server-only';
// The auditor's filter, shared by the console, the API and the export: parsed once, turned into one `where`.
import { z } from 'zod';
import { AppError } from '../app-error';
import { fieldErrors } from '@/lib/smtp-request-schema';

const isoDate = z
  .string()
  .max(40)
  .refine((v) => !Number.isNaN(Date.parse(v)), 'invalid');

export const AuditQuerySchema = z.object({
  tenant: z.string().max(100).optional(),
  actor: z.string().max(254).optional(),
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

/** tenantId is resolved from the slug by the caller (an unknown slug matches nothing). Only the conditions
 * asked for are in the `where`, so the database can pick the one index that fits. */
export function auditWhere(q: AuditQuery, tenantId: string | null | undefined) {
  const at = { ...(q.from ? { gte: new Date(q.from) } : {}), ...(q.to ? { lte: new Date(q.to) } : {}) };
  return {
    ...(q.tenant ? { tenantId: tenantId ?? '__none__' } : {}),
    ...(q.actor ? { actorLabel: { contains: q.actor } } : {}),
    ...(q.action ? { action: q.action.endsWith('.') ? { startsWith: q.action } : q.action } : {}),
    ...(q.target ? { targetId: q.target } : {}),
    ...(q.from || q.to ? { at } : {}),
  };
}
