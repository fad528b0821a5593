// The demo's generated secrets live in the data folder, made on first start; CLI commands on the demo
// database read them too. Outside demo mode they come from the environment only (docs/decisions/014):
// nothing here runs then, so no key is ever generated into a production data folder.
import { existsSync, readFileSync } from 'node:fs';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import path from 'node:path';
import { generateSecretKeyEntry } from '@/server/crypto/secret-keys';
import { writePrivateFile } from '@/server/private-files';

const fileIn = (dataDir: string) => path.join(dataDir, 'demo-secrets.json');
/** The demo's audit signing key: a file of its own, so RELAYDESK_AUDIT_SIGNING_KEY_FILE can name it. */
const signingKeyFileIn = (dataDir: string) => path.join(dataDir, 'audit-signing-key.pem');

// Each entry is made when missing, so a data folder from an older version gains the newer ones.
const GENERATORS: Record<string, () => string> = {
  RELAYDESK_SECRET_KEYS: () => generateSecretKeyEntry('demo1'),
  AUTH_SECRET: () => randomBytes(32).toString('base64url'),
  // The demo SMTP sandbox's AUTH password (username relaydesk-demo), printed at start.
  SANDBOX_PASSWORD: () => randomBytes(12).toString('base64url'),
};

export function ensureDemoSecrets(dataDir: string): void {
  const file = fileIn(dataDir);
  const secrets = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>) : {};
  const missing = Object.keys(GENERATORS).filter((k) => !secrets[k]);
  if (missing.length > 0) {
    for (const k of missing) secrets[k] = GENERATORS[k]!();
    writePrivateFile(file, JSON.stringify(secrets, null, 2));
  }
  const keyFile = signingKeyFileIn(dataDir);
  if (!existsSync(keyFile)) writePrivateFile(keyFile, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
  loadDemoSecretsIfPresent(dataDir);
}

/** Fills in what the environment does not already set. */
export function loadDemoSecretsIfPresent(dataDir = process.env.RELAYDESK_DATA_DIR ?? './data'): void {
  const file = fileIn(dataDir);
  if (!existsSync(file)) return;
  const secrets = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
  for (const [k, v] of Object.entries(secrets)) process.env[k] ??= v;
  const keyFile = signingKeyFileIn(dataDir);
  if (!process.env.RELAYDESK_AUDIT_SIGNING_KEY && existsSync(keyFile)) process.env.RELAYDESK_AUDIT_SIGNING_KEY_FILE ??= keyFile;
}
