import 'server-only';
// What a live check needs: a configuration with its secrets in clear just for this run (a request's,
// decrypted, or a customer's check, as typed).
import { configContentOf, oauthSettingsOf, type ConfigContent, type SecretValues } from '@/lib/smtp-config-model';
import type { OAuthSettings } from '../oauth/oauth-settings';
import type { SmtpConfig } from '../smtp/types';
import type { RequestRow } from './request-view';
import { requestSecretBinding } from './request-fields';
import { openSecrets } from './secret-columns';

type Row = Omit<RequestRow, 'tenant' | 'assignee'>;
export type ProbeConfig = SmtpConfig & { oauth: OAuthSettings | null };

export function probeConfigOf(row: Row): { config: ProbeConfig; secrets: SecretValues } {
  const secrets = openSecrets(row, (k) => requestSecretBinding(row.tenantId, row.id, k));
  return { config: probeConfigFrom(configContentOf(row), secrets), secrets };
}

export function probeConfigFrom(content: ConfigContent, secrets: SecretValues): ProbeConfig {
  return {
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
}
