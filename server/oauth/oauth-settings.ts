// What a live check or the pipeline needs to obtain an access token for XOAUTH2 (decrypted, never stored as is).
export type OAuthProvider = 'microsoft' | 'google' | 'generic';
export type OAuthCloud = 'global' | 'usgov' | 'china';
export type OAuthSettings = {
  provider: OAuthProvider;
  cloud: OAuthCloud | null; // microsoft only
  tenantId: string | null; // microsoft: directory (tenant) id
  clientId: string | null; // microsoft, generic
  clientSecret: string | null; // microsoft (secret credential), generic
  certificate: string | null; // microsoft: PEM certificate (its thumbprint goes into the assertion's x5t)
  privateKey: string | null; // microsoft: PEM private key signing the client assertion
  serviceAccountKey: string | null; // google: the service-account JSON key
  tokenUrl: string | null; // generic
  scope: string | null; // generic (microsoft/google scopes are fixed by the code)
  mailbox: string; // the SMTP username: the mailbox to send as (google: the user to impersonate)
};
