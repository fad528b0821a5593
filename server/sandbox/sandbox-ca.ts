import 'server-only';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { writePrivateFile } from '../private-files';
import path from 'node:path';
import { generate } from 'selfsigned';

// The demo sandbox speaks STARTTLS with a certificate from its own CA, so a probe against it checks a
// real chain and real names; the CA (only) is handed to the probe as an extra trusted root.

export type SandboxCertificates = {
  /** PEM of the local CA: what the probe trusts (SMTP_TRUSTED_CA_FILE). */
  ca: string;
  /** The server's key and certificate, signed by that CA. */
  key: string;
  cert: string;
};

export type SandboxCertificateFiles = SandboxCertificates & { caFile: string; certFile: string; keyFile: string };

export const SANDBOX_NAMES = { dns: ['localhost'], ips: ['127.0.0.1', '::1'] } as const;

const EC = { keyType: 'ec', algorithm: 'sha256' } as const;
const DAY = 24 * 60 * 60 * 1000;

export async function generateSandboxCertificates(): Promise<SandboxCertificates> {
  const now = Date.now();
  const ca = await generate([{ name: 'commonName', value: 'Relaydesk Demo Sandbox CA' }], {
    ...EC,
    notBeforeDate: new Date(now - DAY),
    notAfterDate: new Date(now + 10 * 365 * DAY),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    ],
  });
  const leaf = await generate([{ name: 'commonName', value: 'localhost' }], {
    ...EC,
    ca: { key: ca.private, cert: ca.cert },
    notBeforeDate: new Date(now - DAY),
    notAfterDate: new Date(now + 2 * 365 * DAY),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [...SANDBOX_NAMES.dns.map((value) => ({ type: 2 as const, value })), ...SANDBOX_NAMES.ips.map((ip) => ({ type: 7 as const, ip }))],
      },
    ],
  });
  return { ca: ca.cert, key: leaf.private, cert: leaf.cert };
}

export function sandboxCertificatePaths(dataDir: string) {
  return {
    caFile: path.join(dataDir, 'sandbox-ca.pem'),
    certFile: path.join(dataDir, 'sandbox-cert.pem'),
    keyFile: path.join(dataDir, 'sandbox-key.pem'),
  };
}

/** Still usable for a while: signed by this CA and not about to expire. */
function stillGood({ ca, cert }: SandboxCertificates): boolean {
  try {
    const leaf = new X509Certificate(cert);
    const root = new X509Certificate(ca);
    const soon = Date.now() + 7 * DAY;
    return leaf.verify(root.publicKey) && Date.parse(leaf.validTo) > soon && Date.parse(root.validTo) > soon;
  } catch {
    return false;
  }
}

/** Reuses the CA and certificate in dataDir, generating them on first use (or when unusable). */
export async function ensureSandboxCertificates(dataDir: string): Promise<SandboxCertificateFiles> {
  const paths = sandboxCertificatePaths(dataDir);
  if (existsSync(paths.caFile) && existsSync(paths.certFile) && existsSync(paths.keyFile)) {
    const found = { ca: readFileSync(paths.caFile, 'utf8'), cert: readFileSync(paths.certFile, 'utf8'), key: readFileSync(paths.keyFile, 'utf8') };
    if (stillGood(found)) return { ...found, ...paths };
  }
  const made = await generateSandboxCertificates();
  mkdirSync(dataDir, { recursive: true });
  writePrivateFile(paths.keyFile, made.key);
  writeFileSync(paths.certFile, made.cert);
  writeFileSync(paths.caFile, made.ca);
  return { ...made, ...paths };
}
