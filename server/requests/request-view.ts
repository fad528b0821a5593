import 'server-only';
// The one outward shape of a request (API and pages): never the password, only whether one is set.
import type { Prisma } from '../generated/sqlite/client';

export const REQUEST_INCLUDE = {
  tenant: { select: { slug: true, name: true } },
  assignee: { select: { id: true, name: true, email: true } },
} satisfies Prisma.SmtpRequestInclude;

export type RequestRow = Prisma.SmtpRequestGetPayload<{ include: typeof REQUEST_INCLUDE }>;

export function requestNumberLabel(number: number): string {
  return `SMTP-${number}`;
}

export function toRequestView(row: RequestRow) {
  return {
    id: row.id,
    number: requestNumberLabel(row.number),
    tenant: row.tenant.slug,
    tenantName: row.tenant.name,
    status: row.status,
    host: row.host,
    port: row.port,
    encryption: row.encryption,
    authMethod: row.authMethod,
    username: row.username,
    hasPassword: row.passwordCipher !== null,
    heloDomain: row.heloDomain,
    noReplyAddress: row.noReplyAddress,
    noReplyName: row.noReplyName,
    supportContact: row.supportContact,
    testRecipient: row.testRecipient,
    notes: row.notes,
    plaintextAuthAcknowledged: row.plaintextAuthAcknowledged,
    assignee: row.assignee ? { id: row.assignee.id, name: row.assignee.name, email: row.assignee.email } : null,
    fingerprint: row.fingerprint,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export type RequestView = ReturnType<typeof toRequestView>;
