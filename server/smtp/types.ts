// Shapes of an SMTP probe. Types only (no 'server-only'), so lib/ and the UI can import them.
import type { OAuthSettings } from '../oauth/oauth-settings';
import type { DomainFinding } from './domain-types';

export type Encryption = 'none' | 'starttls' | 'tls';
export type AuthMethod = 'auto' | 'plain' | 'login' | 'cram-md5' | 'none' | 'oauth2';

export type SmtpConfig = {
  host: string;
  port: number;
  encryption: Encryption;
  authMethod: AuthMethod;
  username: string;
  /** Plaintext, decrypted by the caller just for this run; '' when none. */
  password: string;
  /** '' = our own default (see probe.ts). */
  heloDomain: string;
  /** The customer accepted that the password crosses the network readable (encryption none, no TLS offered). */
  plaintextAuthAcknowledged?: boolean;
  noReplyAddress: string;
  noReplyName: string;
  testRecipient: string;
  /** Set when authMethod is oauth2: how to obtain the access token (decrypted by the caller). */
  oauth?: OAuthSettings | null;
};

export const STEP_NAMES = ['token', 'dns', 'connect', 'greeting', 'ehlo', 'starttls', 'tls', 'auth', 'mail', 'rcpt', 'relay', 'data', 'quit', 'domain'] as const;
export type StepName = (typeof STEP_NAMES)[number];

/** The request field a user should change to fix a failure. */
export type ConfigField =
  | 'host'
  | 'port'
  | 'encryption'
  | 'password'
  | 'username'
  | 'authMethod'
  | 'noReplyAddress'
  | 'testRecipient'
  | 'heloDomain'
  | 'oauthProvider'
  | 'oauthCloud'
  | 'oauthTenantId'
  | 'oauthClientId'
  | 'oauthClientSecret'
  | 'oauthCertificate'
  | 'oauthPrivateKey'
  | 'oauthServiceAccountKey'
  | 'oauthTokenUrl'
  | 'oauthScope'
  | 'plaintextAuthAcknowledged';

/** Every code is a key of messages/<locale>/diagnoses.json. */
export const DIAGNOSIS_CODES = [
  'DESTINATION_REFUSED',
  'DNS_FAILED',
  'CONNECTION_REFUSED',
  'CONNECTION_TIMEOUT',
  'CONNECTION_FAILED',
  'CONNECTION_CLOSED',
  'NO_GREETING',
  'TLS_MODE_MISMATCH',
  'TLS_FAILED',
  'CERT_UNTRUSTED',
  'CERT_EXPIRED',
  'CERT_NAME_MISMATCH',
  'STARTTLS_NOT_OFFERED',
  'TLS_REQUIRED',
  'HELO_REJECTED',
  'AUTH_NOT_OFFERED',
  'AUTH_ONLY_AFTER_TLS',
  'AUTH_METHOD_NOT_OFFERED',
  'AUTH_FAILED',
  'AUTH_REQUIRED',
  'M365_SMTP_AUTH_DISABLED',
  'GMAIL_APP_PASSWORD',
  'SENDER_REFUSED',
  'RECIPIENT_REFUSED',
  'MESSAGE_TOO_LARGE',
  'MESSAGE_REJECTED',
  'TEMPORARY_FAILURE',
  'SERVER_REJECTED',
  'SERVER_TIMEOUT',
  'PROTOCOL_ERROR',
  'CANCELLED',
  // OAuth (issue 12): the token step, then AUTH XOAUTH2.
  'OAUTH_ENDPOINT_REFUSED',
  'OAUTH_ENDPOINT_UNREACHABLE',
  'OAUTH_ENDPOINT_BAD_RESPONSE',
  'OAUTH_CREDENTIAL_INVALID',
  'OAUTH_CERTIFICATE_EXPIRED',
  'OAUTH_TENANT_UNKNOWN',
  'OAUTH_CLIENT_UNKNOWN',
  'OAUTH_SECRET_INVALID',
  'OAUTH_SECRET_EXPIRED',
  'OAUTH_CERTIFICATE_UNKNOWN',
  'OAUTH_CONSENT_MISSING',
  'OAUTH_DELEGATION_MISSING',
  'OAUTH_MAILBOX_UNKNOWN',
  'OAUTH_CLOCK_SKEW',
  'OAUTH_SCOPE_INVALID',
  'OAUTH_CLIENT_REJECTED',
  'OAUTH_TOKEN_REFUSED',
  'OAUTH_TOKEN_REJECTED',
  'M365_OAUTH_SEND_DENIED',
  'M365_OAUTH_SMTP_DISABLED',
  'M365_BASIC_AUTH_OFF',
  'RELAY_DENIED',
  'RELAY_UNCONFIRMED',
  'CLIENT_REJECTED',
  'SENDER_NOT_OWNED',
  'AUTH_USER_UNKNOWN',
  'PORT_SILENT',
  'UNBOUNDED_REPLY',
  'PLAINTEXT_AUTH_UPGRADED',
  'PLAINTEXT_AUTH_UNACKNOWLEDGED',
  'PLAINTEXT_AUTH_ACKNOWLEDGED',
] as const;
export type DiagnosisCode = (typeof DIAGNOSIS_CODES)[number];

/**
 * Params every diagnosis of a code carries (some carry more, e.g. reply). Texts in
 * messages/<locale>/diagnoses.json may use only these, so formatting never meets a missing one.
 */
export const DIAGNOSIS_PARAMS: Record<DiagnosisCode, readonly string[]> = {
  DESTINATION_REFUSED: ['host', 'port', 'why'],
  DNS_FAILED: ['host', 'reason'],
  CONNECTION_REFUSED: ['host', 'port'],
  CONNECTION_TIMEOUT: ['host', 'port'],
  CONNECTION_FAILED: ['host', 'port', 'reason'],
  CONNECTION_CLOSED: ['step', 'port'],
  NO_GREETING: ['port'],
  TLS_MODE_MISMATCH: ['port', 'encryption', 'suggested'],
  TLS_FAILED: ['port', 'reason'],
  CERT_UNTRUSTED: ['issuer', 'names', 'expiry', 'host'],
  CERT_EXPIRED: ['issuer', 'names', 'expiry', 'host'],
  CERT_NAME_MISMATCH: ['issuer', 'names', 'expiry', 'host', 'isIp'],
  STARTTLS_NOT_OFFERED: ['port'],
  TLS_REQUIRED: ['reply', 'port'],
  HELO_REJECTED: ['reply', 'port'],
  AUTH_NOT_OFFERED: ['port'],
  AUTH_ONLY_AFTER_TLS: ['port'],
  AUTH_METHOD_NOT_OFFERED: ['method'],
  AUTH_FAILED: ['reply', 'port'],
  AUTH_REQUIRED: ['reply', 'port'],
  M365_SMTP_AUTH_DISABLED: ['reply', 'port'],
  GMAIL_APP_PASSWORD: ['reply', 'port'],
  SENDER_REFUSED: ['reply', 'port', 'address'],
  RECIPIENT_REFUSED: ['reply', 'port', 'address'],
  MESSAGE_TOO_LARGE: ['reply', 'port'],
  MESSAGE_REJECTED: ['reply', 'port'],
  TEMPORARY_FAILURE: ['reply', 'port', 'step'],
  SERVER_REJECTED: ['reply', 'port', 'step'],
  SERVER_TIMEOUT: ['step', 'port'],
  PROTOCOL_ERROR: ['step', 'reason'],
  CANCELLED: [],
  OAUTH_ENDPOINT_REFUSED: ['url', 'why'],
  OAUTH_ENDPOINT_UNREACHABLE: ['url', 'reason'],
  OAUTH_ENDPOINT_BAD_RESPONSE: ['url', 'reason'],
  OAUTH_CREDENTIAL_INVALID: ['reason'],
  OAUTH_CERTIFICATE_EXPIRED: ['expiry'],
  OAUTH_TENANT_UNKNOWN: ['providerCode', 'tenant'],
  OAUTH_CLIENT_UNKNOWN: ['providerCode', 'clientId'],
  OAUTH_SECRET_INVALID: ['providerCode'],
  OAUTH_SECRET_EXPIRED: ['providerCode'],
  OAUTH_CERTIFICATE_UNKNOWN: ['providerCode', 'thumbprint'],
  OAUTH_CONSENT_MISSING: ['providerCode'],
  OAUTH_DELEGATION_MISSING: ['providerCode', 'clientId'],
  OAUTH_MAILBOX_UNKNOWN: ['providerCode'],
  OAUTH_CLOCK_SKEW: ['providerCode'],
  OAUTH_SCOPE_INVALID: ['providerCode', 'scope'],
  OAUTH_CLIENT_REJECTED: ['providerCode'],
  OAUTH_TOKEN_REFUSED: ['providerCode', 'description'],
  OAUTH_TOKEN_REJECTED: ['reply', 'port'],
  M365_OAUTH_SEND_DENIED: ['reply', 'port'],
  M365_OAUTH_SMTP_DISABLED: ['reply', 'port'],
  M365_BASIC_AUTH_OFF: ['reply', 'port'],
  RELAY_DENIED: ['reply', 'port', 'address'],
  RELAY_UNCONFIRMED: ['reply', 'address'],
  CLIENT_REJECTED: ['reply', 'port'],
  SENDER_NOT_OWNED: ['reply', 'port', 'address', 'username'],
  AUTH_USER_UNKNOWN: ['reply', 'port', 'username'],
  PORT_SILENT: ['port'],
  UNBOUNDED_REPLY: ['step', 'port'],
  PLAINTEXT_AUTH_UPGRADED: ['port'],
  PLAINTEXT_AUTH_UNACKNOWLEDGED: ['port'],
  PLAINTEXT_AUTH_ACKNOWLEDGED: ['port'],
};

/** A diagnosis the caller translates: t(`diagnoses.${code}`, params). */
export type Diagnosis = { code: DiagnosisCode; params: Record<string, string | number> };

export type ProbeStep = {
  step: StepName;
  ok: boolean;
  /** Time this step took, in milliseconds. */
  ms: number;
  /** The server's reply to this step ('' when there was none), multi-line joined with \n. */
  reply: string;
  /** What we did or saw, in English, for the transcript reader (already redacted). */
  detail: string;
  hint: Diagnosis | null;
  field: ConfigField | null;
  /** The `domain` step only: SPF, DKIM, DMARC and MX of the no-reply domain. */
  findings?: DomainFinding[];
};

export type TranscriptLine = {
  /** Milliseconds since the probe started. */
  at: number;
  /** C = client sent, S = server sent, * = what the probe did or saw. */
  dir: 'C' | 'S' | '*';
  text: string;
};

export type CertificateInfo = {
  subject: string;
  subjectAltNames: string[];
  issuer: string;
  validFrom: string;
  validTo: string;
  fingerprint256: string;
};

export type TlsInfo = {
  protocol: string;
  cipher: string;
  /** Leaf first, then each issuer the server sent or we resolved. */
  certificates: CertificateInfo[];
};

export type ProbeKind = 'validate' | 'test-send';

export type ProbeResult = {
  ok: boolean;
  kind: ProbeKind;
  startedAt: string;
  durationMs: number;
  steps: ProbeStep[];
  transcript: TranscriptLine[];
  tls?: TlsInfo;
  /** EHLO keywords as the server listed them after the last EHLO, e.g. ['PIPELINING', 'SIZE 10240000', 'AUTH PLAIN LOGIN']. */
  capabilities?: string[];
  messageId?: string;
  /** The server's answer to the end of DATA (test-send only), e.g. '250 2.0.0 Ok: queued as 4F2…'. */
  finalReply?: string;
};
