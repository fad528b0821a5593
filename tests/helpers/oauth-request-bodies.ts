// OAuth request bodies with real credentials (an RSA key and its certificate, a Google service-account key),
// made once per test process, each secret unique so a leak search finds exactly it.
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { generate } from 'selfsigned';
import { validRequestBody } from './factories';

export type OAuthCredentials = {
  clientSecret: string;
  /** An RSA key and the self-signed certificate of it (what an admin uploads to the app registration). */
  certificate: string;
  privateKey: string;
  /** Another RSA key: not the certificate's. */
  otherPrivateKey: string;
  /** An EC key and its certificate: Entra wants RSA. */
  ecCertificate: string;
  ecPrivateKey: string;
  serviceAccountKey: string;
  serviceAccountPrivateKey: string;
};

const rsaPem = () => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

async function make(): Promise<OAuthCredentials> {
  const [rsa, ec] = await Promise.all([
    generate([{ name: 'commonName', value: 'relaydesk-oauth-test' }], { keyType: 'rsa', keySize: 2048, algorithm: 'sha256' }),
    generate([{ name: 'commonName', value: 'relaydesk-oauth-ec' }], { keyType: 'ec', algorithm: 'sha256' }),
  ]);
  const serviceAccountPrivateKey = rsaPem();
  return {
    clientSecret: `Cs~${randomBytes(12).toString('base64url')}`,
    certificate: rsa.cert,
    privateKey: rsa.private,
    otherPrivateKey: rsaPem(),
    ecCertificate: ec.cert,
    ecPrivateKey: ec.private,
    serviceAccountPrivateKey,
    serviceAccountKey: JSON.stringify({
      type: 'service_account',
      project_id: 'relaydesk-test',
      private_key_id: randomBytes(20).toString('hex'),
      private_key: serviceAccountPrivateKey,
      client_email: 'relaydesk-mailer@relaydesk-test.iam.gserviceaccount.com',
      client_id: '109876543210987654321',
      token_uri: 'https://oauth2.googleapis.com/token',
    }),
  };
}

let made: Promise<OAuthCredentials> | undefined;
export function oauthCredentials(): Promise<OAuthCredentials> {
  made ??= make();
  return made;
}

export const TENANT_ID = '72f988bf-86f1-41af-91ab-2d7cd011db47';
export const newClientId = () => randomUUID();

export function microsoftBody(overrides: Record<string, unknown> = {}) {
  return validRequestBody({
    host: 'smtp.office365.com',
    port: 587,
    encryption: 'starttls',
    authMethod: 'oauth2',
    username: 'notifications@contoso.example',
    password: undefined,
    oauthProvider: 'microsoft',
    oauthCloud: 'global',
    oauthTenantId: TENANT_ID,
    oauthClientId: '00000000-1111-2222-3333-444444444444',
    ...overrides,
  });
}

export function googleBody(serviceAccountKey: string, overrides: Record<string, unknown> = {}) {
  return validRequestBody({
    host: 'smtp.gmail.com',
    port: 587,
    encryption: 'starttls',
    authMethod: 'oauth2',
    username: 'notifications@example.com',
    password: undefined,
    oauthProvider: 'google',
    oauthServiceAccountKey: serviceAccountKey,
    ...overrides,
  });
}

export function genericBody(clientSecret: string, overrides: Record<string, unknown> = {}) {
  return validRequestBody({
    authMethod: 'oauth2',
    username: 'mailer@example.com',
    password: undefined,
    oauthProvider: 'generic',
    oauthTokenUrl: 'https://id.example.com/oauth2/token',
    oauthClientId: 'relaydesk-mailer',
    oauthClientSecret: clientSecret,
    oauthScope: 'smtp.send',
    ...overrides,
  });
}
