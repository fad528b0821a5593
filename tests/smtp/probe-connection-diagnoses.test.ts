// Failures before SMTP gets going: mode vs port, refused, timed out, silent, closed, DNS.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { closedPort, startBlackholePort, startScriptedServer, startSilentServer } from '../helpers/smtp-raw-servers';
import { configFor, lastStep, probe, stepNames } from '../helpers/smtp-fixtures';
import { startSmtpServer } from '../helpers/smtp-test-server';

test('implicit TLS against a plain-text server: "wrong version number" → TLS_MODE_MISMATCH, suggest STARTTLS', async () => {
  const server = await startSmtpServer();
  try {
    const result = await probe(configFor(server.port, { encryption: 'tls' }));
    assert.equal(result.ok, false);
    assert.deepEqual(stepNames(result), ['dns', 'connect', 'tls']);
    const step = lastStep(result);
    assert.match(step.detail, /wrong version number/i);
    assert.deepEqual(step.hint, {
      code: 'TLS_MODE_MISMATCH',
      params: { port: server.port, encryption: 'tls', suggested: 'starttls' },
    });
    assert.equal(step.field, 'encryption');
  } finally {
    await server.close();
  }
});

test('STARTTLS against an implicit-TLS port: greeting never received → TLS_MODE_MISMATCH, suggest TLS', async () => {
  const server = await startSmtpServer({ secure: true });
  try {
    const result = await probe(configFor(server.port, { encryption: 'starttls' }), { stepTimeoutMs: 300 });
    assert.deepEqual(stepNames(result), ['dns', 'connect', 'greeting']);
    const step = lastStep(result);
    assert.equal(step.ok, false);
    assert.deepEqual(step.hint, {
      code: 'TLS_MODE_MISMATCH',
      params: { port: server.port, encryption: 'starttls', suggested: 'tls' },
    });
    assert.equal(step.field, 'encryption');
    assert.ok(result.durationMs < 1500, `took ${result.durationMs} ms`);
  } finally {
    await server.close();
  }
});

test('a server that accepts and never greets → NO_GREETING on the port', async () => {
  const server = await startSilentServer();
  try {
    const result = await probe(configFor(server.port), { stepTimeoutMs: 300 });
    const step = lastStep(result);
    assert.equal(step.step, 'greeting');
    assert.deepEqual(step.hint, { code: 'NO_GREETING', params: { port: server.port } });
    assert.equal(step.field, 'port');
    // The second connection asked the port in TLS and got no answer either.
    assert.equal(server.connections(), 2);
    assert.ok(result.transcript.some((l) => /asking the port in TLS/.test(l.text)));
  } finally {
    await server.close();
  }
});

test('nobody listening → CONNECTION_REFUSED', async () => {
  const port = await closedPort();
  const result = await probe(configFor(port));
  const step = lastStep(result);
  assert.equal(step.step, 'connect');
  assert.equal(step.ok, false);
  assert.equal(step.hint?.code, 'CONNECTION_REFUSED');
  assert.equal(step.field, 'port');
  assert.match(step.detail, /ECONNREFUSED/);
});

test('SYNs dropped (blocked outbound port) → CONNECTION_TIMEOUT within the step timeout', async () => {
  const blackhole = await startBlackholePort();
  try {
    const started = Date.now();
    const result = await probe(configFor(blackhole.port), { stepTimeoutMs: 400 });
    const step = lastStep(result);
    assert.equal(step.step, 'connect');
    assert.deepEqual(step.hint, { code: 'CONNECTION_TIMEOUT', params: { host: 'mail.relaydesk.test', port: blackhole.port } });
    assert.equal(step.field, 'port');
    assert.ok(Date.now() - started < 1500);
    assert.ok(step.ms >= 350, `gave up after ${step.ms} ms`);
  } finally {
    await blackhole.close();
  }
});

test('the overall timeout wins over a longer step timeout', async () => {
  const blackhole = await startBlackholePort();
  try {
    const result = await probe(configFor(blackhole.port), { timeoutMs: 300, stepTimeoutMs: 5000 });
    assert.equal(lastStep(result).hint?.code, 'CONNECTION_TIMEOUT');
    assert.ok(result.durationMs < 800, `took ${result.durationMs} ms`);
  } finally {
    await blackhole.close();
  }
});

test('cancelling through the AbortSignal stops the run with CANCELLED', async () => {
  const server = await startSilentServer();
  try {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 150);
    const result = await probe(configFor(server.port), { signal: controller.signal, stepTimeoutMs: 5000 });
    const step = lastStep(result);
    assert.equal(step.step, 'greeting');
    assert.deepEqual(step.hint, { code: 'CANCELLED', params: {} });
    assert.ok(result.durationMs < 1000);
  } finally {
    await server.close();
  }
});

test('a name that does not resolve → DNS_FAILED on the host field, no connection', async () => {
  const result = await probe(configFor(2525, { host: 'nowhere.invalid' }));
  assert.deepEqual(stepNames(result), ['dns']);
  assert.deepEqual(lastStep(result).hint, { code: 'DNS_FAILED', params: { host: 'nowhere.invalid', reason: 'ENOTFOUND' } });
  assert.equal(lastStep(result).field, 'host');
});

test('a greeting of 554 (client blocked) → SERVER_REJECTED quoting the server', async () => {
  const server = await startScriptedServer({ greeting: '554 5.7.1 Your IP is on our block list', replies: { QUIT: '221 Bye' } });
  try {
    const step = lastStep(await probe(configFor(server.port)));
    assert.equal(step.step, 'greeting');
    assert.equal(step.hint?.code, 'SERVER_REJECTED');
    assert.equal(step.hint?.params.reply, '554 5.7.1 Your IP is on our block list');
  } finally {
    await server.close();
  }
});

test('EHLO refused by an old server → falls back to HELO; HELO refused → HELO_REJECTED on heloDomain', async () => {
  const old = await startScriptedServer({
    replies: { EHLO: '502 5.5.1 Unrecognized', HELO: '250 old.relaydesk.test', MAIL: '250 OK', RCPT: '250 OK', QUIT: '221 Bye' },
  });
  const picky = await startScriptedServer({ replies: { EHLO: '501 5.5.4 Bad hostname', HELO: '501 5.5.4 Bad hostname', QUIT: '221 Bye' } });
  try {
    const fallback = await probe(configFor(old.port, { encryption: 'none', authMethod: 'none' }));
    assert.equal(fallback.ok, true, JSON.stringify(fallback.steps));
    assert.ok(old.commands.includes('HELO [127.0.0.1]'));
    assert.deepEqual(fallback.capabilities, []);

    const refused = lastStep(await probe(configFor(picky.port, { encryption: 'none', heloDomain: 'bad_name' })));
    assert.equal(refused.step, 'ehlo');
    assert.equal(refused.hint?.code, 'HELO_REJECTED');
    assert.equal(refused.field, 'heloDomain');
  } finally {
    await old.close();
    await picky.close();
  }
});
