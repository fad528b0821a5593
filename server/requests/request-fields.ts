// Field lists shared by create, edit and audit.
export const EDITABLE_FIELDS = ['host', 'port', 'encryption', 'authMethod', 'username', 'heloDomain', 'noReplyAddress', 'noReplyName', 'supportContact', 'testRecipient', 'notes', 'plaintextAuthAcknowledged'] as const;
export type EditableField = (typeof EDITABLE_FIELDS)[number];

/** Associated data of a request's password: the ciphertext only decrypts on its own tenant and request. */
export function passwordBinding(tenantId: string, requestId: string): string {
  return `smtp-request:${tenantId}:${requestId}`;
}

export function auditableFields(row: Record<EditableField | 'status', unknown>): Record<string, unknown> {
  return Object.fromEntries([...EDITABLE_FIELDS, 'status'].map((k) => [k, row[k as EditableField]]));
}
