// TLS mode against the port on any port number, with the production step timeout (30 s): an
// implicit-TLS port is named within seconds, a silent port is not called a TLS mismatch (issue 10).
import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { startSilentServer } from '../helpers/smtp-raw-servers';
import { configFor, lastStep, probe, stepNames } from '../helpers/smtp-fixtures';
import { startSmtpServer } from '../helpers/smtp-test-server';

const PRODUCTION = { timeoutMs: 30_000, stepTimeoutMs: 30_000 };

for (const encryption of ['starttls', 'none'] as const) {
  test(`${encryption} against an implicit-TLS port that is not 465 → TLS_MODE_MISMATCH on encryption within seconds`, async () => {
    const server = await startSmtpServer({ secure: true });
    try {
      assert.notEqual(server.port, 465);
      const result = await probe(configFor(server.port, { encryption }), PRODUCTION);
      assert.deepEqual(stepNames(result), ['dns', 'connect', 'greeting']);
      const step = lastStep(result);
      assert.deepEqual(step.hint, { code: 'TLS_MODE_MISMATCH', params: { port: server.port, encryption, suggested: 'tls' } });
      assert.equal(step.field, 'encryption');
      assert.ok(result.durationMs < 6000, `took ${result.durationMs} ms`);
      assert.equal(server.auths.length, 0);
    } finally {
      await server.close();
    }
  });
}

test('tls against a silent port → PORT_SILENT on the port, not a "wrong version number" that never happened', async () => {
  const server = await startSilentServer();
  try {
    const result = await probe(configFor(server.port, { encryption: 'tls' }), { stepTimeoutMs: 500 });
    const step = lastStep(result);
    assert.equal(step.step, 'tls');
    assert.deepEqual(step.hint, { code: 'PORT_SILENT', params: { port: server.port } });
    assert.equal(step.field, 'port');
    assert.doesNotMatch(step.detail, /wrong version number/i);
  } finally {
    await server.close();
  }
});

test('a plain-text server that greets late (after the short wait) still passes: the first connection kept waiting', async () => {
  const sockets = new Set<net.Socket>();
  let connections = 0;
  const server = net.createServer((socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('error', () => {});
    // Only the first connection gets the SMTP dialogue; the second (the TLS question) gets silence.
    if (connections > 1) return;
    const timer = setTimeout(() => socket.write('220 slow.relaydesk.test ESMTP\r\n'), 3500);
    socket.on('close', () => clearTimeout(timer));
    socket.on('data', (chunk) => {
      for (const line of chunk.toString('utf8').split('\r\n').filter(Boolean)) {
        const verb = line.split(/[\s:]/)[0]!.toUpperCase();
        socket.write(verb === 'EHLO' ? '250 slow.relaydesk.test\r\n' : verb === 'QUIT' ? '221 Bye\r\n' : '250 OK\r\n');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  try {
    const result = await probe(configFor(port, { encryption: 'none', authMethod: 'none', username: '', password: '' }), PRODUCTION);
    assert.equal(result.ok, true, JSON.stringify(result.steps.at(-1)));
    assert.equal(connections, 2, 'the second connection asked the port in TLS');
  } finally {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});
