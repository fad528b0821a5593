// Certificates: untrusted, expired, wrong name (also when an IP was typed), and STARTTLS missing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OTHER_HOST, TEST_HOST, testCerts } from '../helpers/smtp-certs';
import { configFor, lastStep, probe, stepNames } from '../helpers/smtp-fixtures';
import { startSmtpServer } from '../helpers/smtp-test-server';

async function withServer(options: Parameters<typeof startSmtpServer>[0], run: (port: number) => Promise<void>) {
  const server = await startSmtpServer(options);
  try {
    await run(server.port);
    assert.equal(server.auths.length, 0, 'no credentials may be sent to a server that failed the TLS check');
  } finally {
    await server.close();
  }
}

test('self-signed certificate → CERT_UNTRUSTED with issuer, names and expiry; chain still shown', async () => {
  const { selfSigned } = await testCerts();
  await withServer({ cert: selfSigned }, async (port) => {
    const result = await probe(configFor(port));
    const step = lastStep(result);
    assert.deepEqual(stepNames(result).slice(-2), ['starttls', 'tls']);
    assert.equal(step.hint?.code, 'CERT_UNTRUSTED');
    assert.equal(step.hint?.params.issuer, `CN=${TEST_HOST}`);
    assert.equal(step.hint?.params.names, `DNS:${TEST_HOST}`);
    assert.match(String(step.hint?.params.expiry), /^\d{4}-\d\d-\d\dT/);
    // Trust is a matter of encryption (the server's certificate), not of the host name (issue 10).
    assert.equal(step.field, 'encryption');
    assert.match(step.detail, /SELF_SIGNED/);
    assert.equal(result.tls?.certificates[0]?.subject, `CN=${TEST_HOST}`);
  });
});

test('the same certificate is accepted once its CA is trusted (trustedCa adds to the system roots)', async () => {
  const { valid } = await testCerts();
  await withServer({ cert: valid, authOptional: true }, async (port) => {
    const untrusted = await probe(configFor(port, { authMethod: 'none' }), { trustedCa: [] });
    assert.equal(lastStep(untrusted).hint?.code, 'CERT_UNTRUSTED');
    const trusted = await probe(configFor(port, { authMethod: 'none' }));
    assert.equal(trusted.ok, true);
  });
});

test('expired certificate → CERT_EXPIRED with the expiry date', async () => {
  const { expired } = await testCerts();
  await withServer({ cert: expired }, async (port) => {
    const step = lastStep(await probe(configFor(port)));
    assert.equal(step.step, 'tls');
    assert.equal(step.hint?.code, 'CERT_EXPIRED');
    assert.equal(step.hint?.params.expiry, '2021-01-01T00:00:00.000Z');
    assert.equal(step.hint?.params.issuer, 'CN=Relaydesk Test CA');
  });
});

test('certificate for another name → CERT_NAME_MISMATCH listing the names it is valid for', async () => {
  const { wrongName } = await testCerts();
  await withServer({ cert: wrongName, secure: true }, async (port) => {
    const step = lastStep(await probe(configFor(port, { encryption: 'tls' })));
    assert.equal(step.step, 'tls');
    assert.equal(step.hint?.code, 'CERT_NAME_MISMATCH');
    assert.equal(step.hint?.params.names, `DNS:${OTHER_HOST}`);
    assert.equal(step.hint?.params.host, TEST_HOST);
    assert.equal(step.hint?.params.isIp, 'no');
    assert.equal(step.field, 'host');
  });
});

test('an IP address typed as host → CERT_NAME_MISMATCH suggesting the host name (no SNI, IP checked)', async () => {
  const { valid } = await testCerts();
  await withServer({ cert: valid }, async (port) => {
    const step = lastStep(await probe(configFor(port, { host: '127.0.0.1' })));
    assert.equal(step.hint?.code, 'CERT_NAME_MISMATCH');
    assert.equal(step.hint?.params.isIp, 'yes');
    assert.equal(step.hint?.params.host, '127.0.0.1');
    assert.equal(step.hint?.params.names, `DNS:${TEST_HOST}`);
  });
});

test('STARTTLS required but not offered → STARTTLS_NOT_OFFERED, never continues in plain text', async () => {
  await withServer({ disabledCommands: ['STARTTLS'], allowInsecureAuth: true }, async (port) => {
    const result = await probe(configFor(port, { encryption: 'starttls' }));
    const step = lastStep(result);
    assert.equal(step.step, 'starttls');
    assert.deepEqual(step.hint, { code: 'STARTTLS_NOT_OFFERED', params: { port } });
    assert.equal(step.field, 'encryption');
    const sent = result.transcript.filter((l) => l.dir === 'C').map((l) => l.text.split(' ')[0]);
    assert.deepEqual(sent, ['EHLO', 'QUIT']);
  });
});
