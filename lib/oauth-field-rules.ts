// The rules of the OAuth fields of a request that can be checked anywhere (form and server). The server
// also parses the PEM and the service-account key with node:crypto (server/requests/check-oauth-credentials.ts).
// Empty means "not given": which fields a provider requires is the model's business (smtp-config-model.ts).
import { z } from 'zod';
import { emailProblem, hostnameProblem } from './smtp-field-rules';

export const OAUTH_PROVIDERS = ['microsoft', 'google', 'generic'] as const;
export const OAUTH_CLOUDS = ['global', 'usgov', 'china'] as const;

// Every control character but the line breaks and tabs of PEM and JSON text.
const CONTROL_IN_TEXT = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const line = (max: number) =>
  z
    .string()
    .max(max, 'tooLong')
    .refine((v) => !CONTROL.test(v), 'controlCharacters');
const block = (max: number) =>
  z
    .string()
    .max(max, 'tooLong')
    .refine((v) => !CONTROL_IN_TEXT.test(v), 'controlCharacters');

export function isGuid(value: string): boolean {
  return GUID.test(value);
}

/** A directory (tenant) id: its GUID, or one of its verified domains (contoso.onmicrosoft.com). */
export const oauthTenantId = line(253).refine((v) => v === '' || GUID.test(v) || (v.includes('.') && hostnameProblem(v) === null), 'oauthTenantIdInvalid');

export const oauthClientId = line(255);

/** Syntax only: whether an http:// token URL may be reached is the destination guard's decision. */
export const oauthTokenUrl = line(2048).refine((v) => {
  if (v === '') return true;
  if (!/^https?:\/\//i.test(v) || /\s/.test(v)) return false;
  try {
    return new URL(v).hostname !== '';
  } catch {
    return false;
  }
}, 'oauthTokenUrlInvalid');

export const oauthScope = line(1024);

export const oauthClientSecret = line(1024);

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----/;
const PEM_PRIVATE_KEY = /-----BEGIN (?:RSA |EC )?PRIVATE KEY-----[\s\S]+-----END (?:RSA |EC )?PRIVATE KEY-----/;

export const oauthCertificate = block(20_000).refine((v) => v === '' || PEM_CERTIFICATE.test(v), 'oauthCertificateInvalid');

export const oauthPrivateKey = block(20_000).superRefine((v, ctx) => {
  if (v === '') return;
  if (/-----BEGIN ENCRYPTED PRIVATE KEY-----/.test(v)) return ctx.addIssue({ code: 'custom', message: 'oauthPrivateKeyEncrypted' });
  if (!PEM_PRIVATE_KEY.test(v)) ctx.addIssue({ code: 'custom', message: 'oauthPrivateKeyInvalid' });
});

/** What a Google service-account key must hold; its token_uri is ignored (the token endpoint is fixed by the code). */
export function serviceAccountKeyProblem(value: string): string | null {
  let key: unknown;
  try {
    key = JSON.parse(value);
  } catch {
    return 'oauthServiceAccountKeyNotJson';
  }
  if (typeof key !== 'object' || key === null || Array.isArray(key)) return 'oauthServiceAccountKeyNotJson';
  const { client_email: email, private_key: privateKey } = key as Record<string, unknown>;
  if (typeof email !== 'string' || emailProblem(email) !== null) return 'oauthServiceAccountKeyNoClientEmail';
  if (typeof privateKey !== 'string' || !PEM_PRIVATE_KEY.test(privateKey)) return 'oauthServiceAccountKeyNoPrivateKey';
  return null;
}

export const oauthServiceAccountKey = block(20_000).superRefine((v, ctx) => {
  const problem = v === '' ? null : serviceAccountKeyProblem(v);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});
