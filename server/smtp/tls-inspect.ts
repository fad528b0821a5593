import 'server-only';
import tls from 'node:tls';
import { verdict } from './diagnose';
import type { CertificateInfo, ConfigField, Diagnosis, TlsInfo } from './types';

// The probe connects with rejectUnauthorized: false on purpose: a refused handshake would hide the
// certificate, and the TAM needs its issuer, names and expiry to explain the failure. verifyPeer then
// applies the same checks Node would, and the probe stops before sending anything on failure.

type PeerCert = tls.DetailedPeerCertificate;

function formatName(name: tls.Certificate | undefined): string {
  if (!name) return '';
  return Object.entries(name)
    .map(([key, value]) => `${key}=${Array.isArray(value) ? value.join('+') : String(value)}`)
    .join(', ');
}

function altNames(cert: PeerCert): string[] {
  return cert.subjectaltname ? cert.subjectaltname.split(/,\s*/).filter(Boolean) : [];
}

function isoDate(text: string): string {
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? text : date.toISOString();
}

function describeCertificate(cert: PeerCert): CertificateInfo {
  return {
    subject: formatName(cert.subject),
    subjectAltNames: altNames(cert),
    issuer: formatName(cert.issuer),
    validFrom: isoDate(cert.valid_from),
    validTo: isoDate(cert.valid_to),
    fingerprint256: cert.fingerprint256,
  };
}

/** Protocol, cipher and the peer chain (read from the socket unless given), leaf first, walking issuers until a self-signed root. */
export function describeTls(socket: tls.TLSSocket, chain?: PeerCert): TlsInfo {
  const certificates: CertificateInfo[] = [];
  let cert: PeerCert | undefined = chain ?? socket.getPeerCertificate(true);
  const seen = new Set<string>();
  while (cert && cert.fingerprint256 && !seen.has(cert.fingerprint256)) {
    seen.add(cert.fingerprint256);
    certificates.push(describeCertificate(cert));
    cert = cert.issuerCertificate;
  }
  return { protocol: socket.getProtocol() ?? '', cipher: socket.getCipher()?.name ?? '', certificates };
}

export type PeerVerdict = { ok: true } | { ok: false; diagnosis: Diagnosis; field: ConfigField; reason: string };

const EXPIRY_ERRORS = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);

/** Chain trust (system roots plus trustedCa), validity dates, then the name the user typed. */
export function verifyPeer(socket: tls.TLSSocket, info: TlsInfo, servername: string, address: string): PeerVerdict {
  const leaf = info.certificates[0];
  const names = leaf?.subjectAltNames.join(', ') || leaf?.subject || '';
  const params = { issuer: leaf?.issuer ?? '', names, expiry: leaf?.validTo ?? '', host: servername || address };
  if (!socket.authorized) {
    const reason = String(socket.authorizationError ?? 'certificate not trusted');
    // An untrusted (self-signed, private CA) certificate is a question of encryption and trust, not of
    // the host name: the customer fixes it on the server or with the mail admin, not in the host field.
    const expired = EXPIRY_ERRORS.has(reason);
    const field: ConfigField = expired ? 'host' : 'encryption';
    const { hint } = verdict(expired ? 'CERT_EXPIRED' : 'CERT_UNTRUSTED', field, params);
    return { ok: false, diagnosis: hint!, field, reason };
  }
  // Node's own check, given the two fields it reads from the chain describeTls already read (asking the
  // socket again would convert the certificate a second time); the CN counts only without DNS names.
  const commonName = /(?:^|, )CN=([^,]+)/.exec(leaf?.subject ?? '')?.[1];
  const identityError = tls.checkServerIdentity(servername || address, { subject: { CN: commonName }, subjectaltname: leaf?.subjectAltNames.join(', ') } as tls.PeerCertificate);
  if (identityError) {
    const { hint } = verdict('CERT_NAME_MISMATCH', 'host', { ...params, isIp: servername ? 'no' : 'yes' });
    return { ok: false, diagnosis: hint!, field: 'host', reason: identityError.message };
  }
  return { ok: true };
}
