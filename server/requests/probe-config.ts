import 'server-only';
// What a live check of a request needs: its configuration with the secrets decrypted just for this run.
import { configContentOf, oauthSettingsOf, type SecretValues } from '@/lib/smtp-config-model';
import type { OAuthSettings } from '../oauth/oauth-settings';
import type { SmtpConfig } from '../smtp/types';
import type { RequestRow } from './request-view';
import { requestSecretBinding } from './request-fields';
import { openSecrets } from './secret-columns';

type Row = Omit<RequestRow, 'tenant' | 'assignee'>;

export function probeConfigOf(row: Row): { config: SmtpConfig & { oauth: OAuthSettings | null }; secrets: SecretValues } {
  const secrets = openSecrets(row, (k) => requestSecretBinding(row.tenantId, row.id, k));
  const content = configContentOf(row);
  const config = {
    host: content.host,
    port: content.port,
    encryption: content.encryption,
    // oauth2 is the probe's to speak (XOAUTH2 with a token from `oauth`).
    authMethod: content.authMethod as SmtpConfig['authMethod'],
    username: content.username,
    password: secrets.password ?? '',
    heloDomain: content.heloDomain,
    noReplyAddress: content.noReplyAddress,
    noReplyName: content.noReplyName,
    testRecipient: content.testRecipient,
    plaintextAuthAcknowledged: content.plaintextAuthAcknowledged,
    oauth: oauthSettingsOf(content, secrets),
  };
  return { config, secrets };
}
