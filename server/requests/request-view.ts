import 'server-only';
// The one outward shape of a request (API and pages): never a secret, only whether each is set.
import { z } from 'zod';
import { REQUEST_STATUSES } from '@/lib/smtp-request-schema';
import { RequestConfigViewSchema, requestContentOf, secretFlagsOf } from '@/lib/smtp-config-model';
import type { Prisma } from '../generated/sqlite/client';

export const REQUEST_INCLUDE = {
  tenant: { select: { slug: true, name: true } },
  assignee: { select: { id: true, name: true, email: true } },
} satisfies Prisma.SmtpRequestInclude;

export type RequestRow = Prisma.SmtpRequestGetPayload<{ include: typeof REQUEST_INCLUDE }>;

export const RequestViewSchema = z.object({
  id: z.string(),
  number: z.string().describe('SMTP-1001'),
  tenant: z.string(),
  tenantName: z.string(),
  status: z.enum(REQUEST_STATUSES),
  ...RequestConfigViewSchema.shape,
  assignee: z.object({ id: z.string(), name: z.string(), email: z.string() }).nullable(),
  fingerprint: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type RequestView = z.infer<typeof RequestViewSchema>;

export function requestNumberLabel(number: number): string {
  return `SMTP-${number}`;
}

export function toRequestView(row: RequestRow): RequestView {
  return {
    id: row.id,
    number: requestNumberLabel(row.number),
    tenant: row.tenant.slug,
    tenantName: row.tenant.name,
    status: row.status as RequestView['status'],
    ...requestContentOf(row),
    ...secretFlagsOf(row),
    assignee: row.assignee ? { id: row.assignee.id, name: row.assignee.name, email: row.assignee.email } : null,
    fingerprint: row.fingerprint,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
