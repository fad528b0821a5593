// Certificates for the SMTP tests, made in memory once per test process (EC keys: ~20 ms each).
import { generate } from 'selfsigned';

export type KeyCert = { key: string; cert: string };
export type TestCerts = {
  /** PEM of the test CA, passed to the probe as trustedCa. */
  ca: string;
  /** CA-signed, valid now, for TEST_HOST. */
  valid: KeyCert;
  /** Valid dates and name, but signed by nobody we trust. */
  selfSigned: KeyCert;
  /** CA-signed, valid now, for another name. */
  wrongName: KeyCert;
  /** CA-signed for TEST_HOST, expired in 2021. */
  expired: KeyCert;
  /** CA-signed for "localhost", for tests that go through the real resolver (allow-listed loopback). */
  localhost: KeyCert;
};

export const TEST_HOST = 'mail.relaydesk.test';
export const OTHER_HOST = 'other.example.test';

const EC = { keyType: 'ec', algorithm: 'sha256' } as const;

function leafExtensions(name: string) {
  return [
    { name: 'basicConstraints' as const, cA: false },
    { name: 'extKeyUsage' as const, serverAuth: true },
    { name: 'subjectAltName' as const, altNames: [{ type: 2 as const, value: name }] },
  ];
}

async function makeCerts(): Promise<TestCerts> {
  const ca = await generate([{ name: 'commonName', value: 'Relaydesk Test CA' }], {
    ...EC,
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    ],
  });
  const signer = { key: ca.private, cert: ca.cert };
  const leaf = async (name: string, extra: { ca?: typeof signer; notBeforeDate?: Date; notAfterDate?: Date }) => {
    const made = await generate([{ name: 'commonName', value: name }], { ...EC, extensions: leafExtensions(name), ...extra });
    return { key: made.private, cert: made.cert };
  };
  const [valid, selfSigned, wrongName, expired, localhost] = await Promise.all([
    leaf(TEST_HOST, { ca: signer }),
    leaf(TEST_HOST, {}),
    leaf(OTHER_HOST, { ca: signer }),
    leaf(TEST_HOST, { ca: signer, notBeforeDate: new Date('2020-01-01'), notAfterDate: new Date('2021-01-01') }),
    leaf('localhost', { ca: signer }),
  ]);
  return { ca: ca.cert, valid, selfSigned, wrongName, expired, localhost };
}

let made: Promise<TestCerts> | undefined;

export function testCerts(): Promise<TestCerts> {
  made ??= makeCerts();
  return made;
}
