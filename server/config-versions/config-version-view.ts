import 'server-only';
// The outward shape of a configuration version: never the password, only whether one is set.
import type { ConfigVersion } from '../generated/sqlite/client';

export type ConfigVersionRow = ConfigVersion & {
  appliedBy?: { name: string; email: string } | null;
  request?: { id: string; number: number } | null;
};

export function toConfigVersionView(row: ConfigVersionRow) {
  return {
    version: row.version,
    source: row.source,
    copiedFrom: row.copiedFrom,
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
    plaintextAuthAcknowledged: row.plaintextAuthAcknowledged,
    fingerprint: row.fingerprint,
    requestId: row.requestId,
    requestNumber: row.request ? `SMTP-${row.request.number}` : null,
    appliedBy: row.appliedBy ? { name: row.appliedBy.name, email: row.appliedBy.email } : null,
    appliedAt: row.appliedAt.toISOString(),
  };
}

export type ConfigVersionView = ReturnType<typeof toConfigVersionView>;

/** The fields that define what is sent where: the content a version carries and a rollback copies. */
export const CONFIG_CONTENT_FIELDS = ['host', 'port', 'encryption', 'authMethod', 'username', 'heloDomain', 'noReplyAddress', 'noReplyName', 'supportContact', 'testRecipient', 'plaintextAuthAcknowledged'] as const;
type TextField = Exclude<(typeof CONFIG_CONTENT_FIELDS)[number], 'port' | 'plaintextAuthAcknowledged'>;
/** plaintextAuthAcknowledged is optional (false when absent), so callers written before it still compile. */
export type ConfigContent = { [K in TextField]: string } & { port: number; plaintextAuthAcknowledged?: boolean };
