import 'server-only';
// The outward shape of a configuration version: never a secret, only whether each is set.
import { z } from 'zod';
import { ConfigViewSchema, configContentOf, secretFlagsOf } from '@/lib/smtp-config-model';
import type { ConfigVersion } from '../generated/sqlite/client';

export type ConfigVersionRow = ConfigVersion & {
  appliedBy?: { name: string; email: string } | null;
  request?: { id: string; number: number } | null;
};

export const ConfigVersionViewSchema = z.object({
  version: z.number().int(),
  source: z.enum(['apply', 'rollback', 'auto-rollback']),
  copiedFrom: z.number().int().nullable(),
  ...ConfigViewSchema.shape,
  fingerprint: z.string(),
  requestId: z.string().nullable(),
  requestNumber: z.string().nullable(),
  appliedBy: z.object({ name: z.string(), email: z.string() }).nullable(),
  appliedAt: z.string(),
});
export type ConfigVersionView = z.infer<typeof ConfigVersionViewSchema>;

export function toConfigVersionView(row: ConfigVersionRow): ConfigVersionView {
  return {
    version: row.version,
    source: row.source as ConfigVersionView['source'],
    copiedFrom: row.copiedFrom,
    ...configContentOf(row),
    ...secretFlagsOf(row),
    fingerprint: row.fingerprint,
    requestId: row.requestId,
    requestNumber: row.request ? `SMTP-${row.request.number}` : null,
    appliedBy: row.appliedBy ? { name: row.appliedBy.name, email: row.appliedBy.email } : null,
    appliedAt: row.appliedAt.toISOString(),
  };
}
