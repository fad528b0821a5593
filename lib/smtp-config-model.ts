// The one definition of an SMTP configuration: every field once, with its input rule, the type it is stored
// and shown as, and its role. Form values, request and patch schemas, fingerprint fields, row mappings,
// views and the OpenAPI shapes are all derived from SMTP_CONFIG_MODEL; a new field is one line here plus
// its migration (and its labels in the message catalogs).
import { z } from 'zod';
import type { OAuthSettings } from '@/server/oauth/oauth-settings';
import { host, port, email, heloDomain, supportContact, noControl, notes, emailProblem } from './smtp-field-rules';
import * as oauth from './oauth-field-rules';
import { OAUTH_CLOUDS, OAUTH_PROVIDERS, isGuid } from './oauth-field-rules';

export { OAUTH_CLOUDS, OAUTH_PROVIDERS } from './oauth-field-rules';
export const ENCRYPTIONS = ['none', 'starttls', 'tls'] as const;
export const AUTH_METHODS = ['auto', 'plain', 'login', 'cram-md5', 'oauth2', 'none'] as const;
export type OAuthProviderName = (typeof OAUTH_PROVIDERS)[number];

type Spec = {
  input: z.ZodType;
  view: z.ZodType;
  /** config: stored on requests and config versions; request: requests only; secret: write-only, stored encrypted. */
  role: 'config' | 'request' | 'secret';
  /** Where the configuration sends to and as whom: a change drops every stored secret (it must be typed again). */
  destination?: true;
  /** The value of a field left out when a request is created. */
  fallback?: string | boolean;
  /** Used only with password authentication, with any OAuth provider, or with these providers; otherwise not stored (null). */
  auth?: 'password' | 'oauth2' | readonly OAuthProviderName[];
  /** Must be given whenever the configuration uses it. */
  required?: true;
};

export const SMTP_CONFIG_MODEL = {
  host: { input: host, view: z.string(), role: 'config', destination: true },
  port: { input: port, view: z.number().int(), role: 'config', destination: true },
  encryption: { input: z.enum(ENCRYPTIONS, { message: 'choose' }), view: z.enum(ENCRYPTIONS), role: 'config', destination: true },
  authMethod: { input: z.enum(AUTH_METHODS, { message: 'choose' }), view: z.enum(AUTH_METHODS), role: 'config' },
  username: { input: noControl(z.string().max(254, 'tooLong')), view: z.string(), role: 'config', destination: true, fallback: '' },
  heloDomain: { input: heloDomain, view: z.string(), role: 'config', fallback: '' },
  noReplyAddress: { input: email, view: z.string(), role: 'config' },
  noReplyName: { input: noControl(z.string().max(100, 'tooLong')), view: z.string(), role: 'config', fallback: '' },
  supportContact: { input: supportContact, view: z.string(), role: 'config', fallback: '' },
  testRecipient: { input: email, view: z.string(), role: 'config' },
  notes: { input: notes, view: z.string(), role: 'request', fallback: '' },
  // The customer accepts that the password crosses the network readable (a server with no TLS at all).
  plaintextAuthAcknowledged: { input: z.boolean({ message: 'choose' }), view: z.boolean(), role: 'config', fallback: false },
  password: { input: noControl(z.string().max(512, 'tooLong')), view: z.boolean(), role: 'secret', auth: 'password' },
  // OAuth 2.0 (authMethod oauth2, XOAUTH2): the username is the mailbox to send as.
  oauthProvider: {
    input: z.enum(OAUTH_PROVIDERS, { message: 'choose' }).nullish(),
    view: z.enum(OAUTH_PROVIDERS).nullable(),
    role: 'config',
    destination: true,
    auth: 'oauth2',
    required: true,
  },
  oauthCloud: { input: z.enum(OAUTH_CLOUDS, { message: 'choose' }).nullish(), view: z.enum(OAUTH_CLOUDS).nullable(), role: 'config', destination: true, auth: ['microsoft'] },
  oauthTenantId: { input: oauth.oauthTenantId.nullish(), view: z.string().nullable(), role: 'config', destination: true, auth: ['microsoft'], required: true },
  oauthClientId: { input: oauth.oauthClientId.nullish(), view: z.string().nullable(), role: 'config', destination: true, auth: ['microsoft', 'generic'], required: true },
  // The certificate is public (it names the key Entra knows): shown like the username, and a change drops the key.
  oauthCertificate: { input: oauth.oauthCertificate.nullish(), view: z.string().nullable(), role: 'config', destination: true, auth: ['microsoft'] },
  oauthTokenUrl: { input: oauth.oauthTokenUrl.nullish(), view: z.string().nullable(), role: 'config', destination: true, auth: ['generic'], required: true },
  oauthScope: { input: oauth.oauthScope.nullish(), view: z.string().nullable(), role: 'config', auth: ['generic'], required: true },
  oauthClientSecret: { input: oauth.oauthClientSecret, view: z.boolean(), role: 'secret', auth: ['microsoft', 'generic'] },
  oauthPrivateKey: { input: oauth.oauthPrivateKey, view: z.boolean(), role: 'secret', auth: ['microsoft'] },
  oauthServiceAccountKey: { input: oauth.oauthServiceAccountKey, view: z.boolean(), role: 'secret', auth: ['google'] },
} as const satisfies Record<string, Spec>;

type Model = typeof SMTP_CONFIG_MODEL;
export type FieldName = keyof Model;
type Where<P> = { [K in FieldName]: Model[K] extends P ? K : never }[FieldName];
export type SecretField = Where<{ role: 'secret' }>;
export type ConfigField = Where<{ role: 'config' }>;
export type RequestField = ConfigField | Where<{ role: 'request' }>;
export type DestinationField = Where<{ destination: true }>;

const NAMES = Object.keys(SMTP_CONFIG_MODEL) as FieldName[];
const spec = (k: FieldName): Spec => SMTP_CONFIG_MODEL[k];
const where = <K extends FieldName>(test: (s: Spec) => boolean) => NAMES.filter((k) => test(spec(k))) as K[];

/** Write-only fields: stored encrypted (bound to their row), never returned, said only as "has…"/"changed". */
export const SECRET_FIELDS: readonly SecretField[] = where<SecretField>((s) => s.role === 'secret');
/** What a configuration version carries (and a rollback copies). */
export const CONFIG_FIELDS: readonly ConfigField[] = where<ConfigField>((s) => s.role === 'config');
/** What a request stores in clear: the configuration plus the notes. */
export const REQUEST_FIELDS: readonly RequestField[] = where<RequestField>((s) => s.role !== 'secret');
/** Destination and identity: a change drops every stored secret. */
export const DESTINATION_FIELDS: readonly DestinationField[] = where<DestinationField>((s) => s.destination === true);

// ---- Secrets: the flag a view shows, the column that holds the ciphertext.

export type SecretFlag<K extends SecretField = SecretField> = `has${Capitalize<K>}`;
export type CipherColumn<K extends SecretField = SecretField> = `${K}Cipher`;
export type SecretFlags = { [K in SecretField as SecretFlag<K>]: boolean };
export type SecretColumns = { [K in SecretField as CipherColumn<K>]: string | null };
export type SecretValues = { [K in SecretField]?: string };
/** Which stored secrets an edit keeps without the customer typing them again: a state of the schema. */
export type KeptSecrets = { [K in SecretField]?: boolean };

export const secretFlag = <K extends SecretField>(k: K) => `has${k[0]!.toUpperCase()}${k.slice(1)}` as SecretFlag<K>;
export const cipherColumn = <K extends SecretField>(k: K) => `${k}Cipher` as CipherColumn<K>;

export function secretFlagsOf(row: SecretColumns): SecretFlags {
  return Object.fromEntries(SECRET_FIELDS.map((k) => [secretFlag(k), row[cipherColumn(k)] !== null])) as SecretFlags;
}

/** The flags alone, from a view that has more. */
export function pickSecretFlags(view: SecretFlags): SecretFlags {
  return Object.fromEntries(SECRET_FIELDS.map((k) => [secretFlag(k), view[secretFlag(k)]])) as SecretFlags;
}

// ---- Row mappings: a request row, a version row and a view hold the same named fields.

export type ConfigContent = { [K in ConfigField]: z.output<Model[K]['view']> };
/** A configuration to store: fields that may be unused (null) or are yes/no (false by default) may be left out. */
type Optional<K extends ConfigField> = null extends ConfigContent[K] ? K : ConfigContent[K] extends boolean ? K : never;
export type ConfigContentInput = { [K in ConfigField as K extends Optional<K> ? never : K]: ConfigContent[K] } & { [K in ConfigField as Optional<K>]?: ConfigContent[K] };
export type RequestContent = { [K in RequestField]: z.output<Model[K]['view']> };

// Rows come from the database, where every value was validated on its way in.
export function configContentOf(row: { [K in ConfigField]: unknown }): ConfigContent {
  return Object.fromEntries(CONFIG_FIELDS.map((k) => [k, row[k]])) as ConfigContent;
}

export function requestContentOf(row: { [K in RequestField]: unknown }): RequestContent {
  return Object.fromEntries(REQUEST_FIELDS.map((k) => [k, row[k]])) as RequestContent;
}

type ConfigLike = { [K in ConfigField]?: unknown };

/** Whether the destination or identity differs (the form compares strings, the server typed values). */
export function destinationChanged(before: ConfigLike, after: ConfigLike): boolean {
  return DESTINATION_FIELDS.some((k) => String(before[k] ?? '') !== String(after[k] ?? ''));
}

/** Whether a configuration uses a field (a field it does not use is not stored: null, or no secret). */
export function uses(config: ConfigLike, k: FieldName): boolean {
  const auth = spec(k).auth;
  if (auth === undefined) return true;
  if (auth === 'password') return config.authMethod !== undefined && config.authMethod !== 'none' && config.authMethod !== 'oauth2';
  if (config.authMethod !== 'oauth2') return false;
  return auth === 'oauth2' || (auth as readonly unknown[]).includes(config.oauthProvider);
}

/** The secrets a configuration uses. Microsoft takes one credential: the certificate's private key when a certificate is given, else a client secret. */
export function secretsUsedBy(config: ConfigLike): SecretField[] {
  const used = SECRET_FIELDS.filter((k) => uses(config, k));
  if (config.authMethod !== 'oauth2' || config.oauthProvider !== 'microsoft') return used;
  return used.filter((k) => k !== (config.oauthCertificate ? 'oauthClientSecret' : 'oauthPrivateKey'));
}

/** The OAuth settings a live check or the pipeline needs (null unless the configuration uses OAuth). */
export function oauthSettingsOf(config: ConfigContent, secrets: SecretValues): OAuthSettings | null {
  if (config.authMethod !== 'oauth2' || !config.oauthProvider) return null;
  return {
    provider: config.oauthProvider,
    cloud: config.oauthCloud,
    tenantId: config.oauthTenantId,
    clientId: config.oauthClientId,
    clientSecret: secrets.oauthClientSecret ?? null,
    certificate: config.oauthCertificate,
    privateKey: secrets.oauthPrivateKey ?? null,
    serviceAccountKey: secrets.oauthServiceAccountKey ?? null,
    tokenUrl: config.oauthTokenUrl,
    scope: config.oauthScope,
    mailbox: config.username,
  };
}

/** The stored secrets an edit from `before` to `after` keeps: stored, still used, and the destination unchanged. */
export function keptSecrets(stored: SecretFlags, before: ConfigLike, after: ConfigLike): KeptSecrets {
  if (destinationChanged(before, after)) return {};
  return Object.fromEntries(secretsUsedBy(after).map((k) => [k, stored[secretFlag(k)]])) as KeptSecrets;
}

// ---- Schemas.

type CreateShape = {
  [K in FieldName]: Model[K] extends { role: 'secret' }
    ? z.ZodOptional<Model[K]['input']>
    : Model[K] extends { fallback: string | boolean }
      ? z.ZodDefault<Model[K]['input']>
      : Model[K]['input'];
};
type InputShape = { [K in FieldName]: Model[K]['input'] };
type ViewShape<K extends FieldName> = { [F in K]: Model[F]['view'] };

const INPUT_SHAPE = Object.fromEntries(NAMES.map((k) => [k, spec(k).input])) as InputShape;
const CREATE_SHAPE = Object.fromEntries(
  NAMES.map((k) => {
    const s = spec(k);
    return [k, s.role === 'secret' ? s.input.optional() : s.fallback !== undefined ? s.input.default(s.fallback) : s.input];
  }),
) as unknown as CreateShape;

type Parsed = z.output<z.ZodObject<CreateShape>>;

// Runs even when other fields failed, so the form shows every error at once (the value may be partly invalid).
function requireCredentials(value: Partial<Parsed>, ctx: z.RefinementCtx, kept: KeptSecrets) {
  if (typeof value !== 'object' || value === null || value.authMethod === undefined || value.authMethod === 'none') return;
  const issue = (k: FieldName, message: string) => ctx.addIssue({ code: 'custom', path: [k], message });
  if (!value.username) issue('username', 'required');
  for (const k of NAMES) if (spec(k).required && spec(k).role !== 'secret' && uses(value, k) && !value[k]) issue(k, 'required');
  for (const k of secretsUsedBy(value)) if (!value[k] && !kept[k]) issue(k, 'required');
  if (value.authMethod !== 'oauth2') return;
  const provider = value.oauthProvider;
  // Microsoft and Google sign in as a mailbox; the generic provider's user name is whatever its server expects.
  if ((provider === 'microsoft' || provider === 'google') && value.username && emailProblem(value.username)) issue('username', 'oauthMailboxInvalid');
  if (provider !== 'microsoft') return;
  if (value.oauthClientId && !isGuid(value.oauthClientId)) issue('oauthClientId', 'oauthClientIdInvalid');
  if (value.oauthCertificate && value.oauthClientSecret) issue('oauthClientSecret', 'oauthOneCredential');
  if (!value.oauthCertificate && value.oauthPrivateKey) issue('oauthCertificate', 'required');
}

/** What is stored: no username without authentication, no field or secret the configuration does not use. */
function normalize(value: Parsed): RequestContent & SecretValues {
  const used = secretsUsedBy(value);
  const out: Record<string, unknown> = { ...value, username: value.authMethod === 'none' ? '' : value.username };
  for (const k of NAMES) {
    const s = spec(k);
    if (s.role === 'secret') {
      if (!used.includes(k as SecretField) || !out[k]) delete out[k];
    } else if (s.auth !== undefined) {
      out[k] = uses(value, k) && out[k] !== '' && out[k] !== undefined ? out[k] : null;
    }
  }
  if (out.oauthProvider === 'microsoft' && out.oauthCloud === null) out.oauthCloud = 'global';
  return out as RequestContent & SecretValues;
}

const ALWAYS = { when: () => true };

/** The request schema; `kept` names the stored secrets an edit keeps, which then need not be typed. */
export function smtpRequestSchema(kept: KeptSecrets = {}) {
  return z
    .object(CREATE_SHAPE)
    .strict()
    .superRefine((v, ctx) => requireCredentials(v, ctx, kept), ALWAYS)
    .transform(normalize);
}

export const SmtpRequestSchema = smtpRequestSchema();
export type SmtpRequestInput = z.input<typeof SmtpRequestSchema>;
export type SmtpRequestData = z.output<typeof SmtpRequestSchema>;

// A patch names only the fields it changes; the domain checks the merged result (secret rules included).
export const SmtpRequestPatchSchema = z.object(INPUT_SHAPE).partial().strict();
export type SmtpRequestPatch = z.output<typeof SmtpRequestPatchSchema>;

/** Splits parsed input into the fields stored in clear and the typed secrets. */
export function splitSecrets<T extends SecretValues>(value: T): { secrets: SecretValues; fields: Omit<T, SecretField> } {
  const fields: Record<string, unknown> = { ...value };
  const secrets: SecretValues = {};
  for (const k of SECRET_FIELDS) {
    if (typeof value[k] === 'string' && value[k] !== '') secrets[k] = value[k];
    delete fields[k];
  }
  return { secrets, fields: fields as Omit<T, SecretField> };
}

// ---- Views (the API and pages; OpenAPI documents the same shapes).

const viewShape = <K extends FieldName>(keys: readonly K[]) => Object.fromEntries(keys.map((k) => [k, spec(k).view])) as ViewShape<K>;
const FLAGS_SHAPE = Object.fromEntries(SECRET_FIELDS.map((k) => [secretFlag(k), z.boolean()])) as { [K in SecretField as SecretFlag<K>]: z.ZodBoolean };

/** The configuration as a version shows it: its fields and whether each secret is set. */
export const ConfigViewSchema = z.object({ ...viewShape(CONFIG_FIELDS), ...FLAGS_SHAPE });
/** The configuration as a request shows it: plus the notes. */
export const RequestConfigViewSchema = z.object({ ...viewShape(REQUEST_FIELDS), ...FLAGS_SHAPE });

/** Form values: every input field as the text the customer types (a yes/no field as a checkbox's state). */
export type FormValues = { [K in RequestField | SecretField]: z.output<Model[K]['view']> extends boolean | null ? (K extends SecretField ? string : boolean) : string };

/** A new request's form: every field empty or at its default (a yes/no field unchecked unless its default says otherwise). */
export function emptyFormValues(): FormValues {
  return Object.fromEntries(
    [...REQUEST_FIELDS, ...SECRET_FIELDS].map((k) => [
      k,
      spec(k).role !== 'secret' && spec(k).view instanceof z.ZodBoolean ? (spec(k).fallback ?? false) : String(spec(k).fallback ?? ''),
    ]),
  ) as FormValues;
}

/** An existing request's form: its fields as the form holds them (text, or a checkbox's state), unused ones empty. */
export function formValuesOf(view: RequestContent): FormValues {
  const values = emptyFormValues() as Record<string, unknown>;
  for (const k of REQUEST_FIELDS) if (view[k] !== null) values[k] = typeof view[k] === 'boolean' ? view[k] : String(view[k]);
  return values as FormValues;
}

/** What a form sends: the fields the chosen method and provider use; a secret only when typed (empty keeps the stored one). */
export function formInput(values: Partial<FormValues>): Record<string, unknown> {
  const config = values as ConfigLike;
  return Object.fromEntries(
    Object.entries(values).filter(([k, v]) => (k in SMTP_CONFIG_MODEL ? uses(config, k as FieldName) : false) && !(spec(k as FieldName).role === 'secret' && v === '')),
  );
}
