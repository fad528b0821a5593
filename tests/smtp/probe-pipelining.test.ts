// A server that offers PIPELINING (RFC 2920: Postfix, Exchange Online, Gmail) gets a validation's envelope
// in one write — MAIL, RCPT, the relay check's RCPT and RSET, and QUIT last — and answers each in turn:
// four round trips saved, each step still shows its own reply and diagnosis, and a refusal mid-envelope
// still reads every owed reply (QUIT's 221 last, never a second QUIT). Without PIPELINING, one at a time.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ProbeResult } from '@/server/smtp/types';
import { configFor, lastStep, probe } from '../helpers/smtp-fixtures';
import { startSmtpServer, type TestServerOptions } from '../helpers/smtp-test-server';

async function validate(options: TestServerOptions = {}): Promise<ProbeResult> {
  const server = await startSmtpServer(options);
  try {
    return await probe(configFor(server.port), { kind: 'validate' });
  } finally {
    await server.close();
  }
}

/** The transcript's C and S lines from MAIL FROM on, as "C MAIL" / "S 250". */
function envelopeExchange(result: ProbeResult): string[] {
  const lines = result.transcript.filter((l) => l.dir !== '*').map((l) => `${l.dir} ${l.dir === 'C' ? l.text.split(/[: ]/)[0] : l.text.slice(0, 3)}`);
  return lines.slice(lines.indexOf('C MAIL'));
}

test('PIPELINING offered: the envelope goes in one write, each step reads its own reply', async () => {
  const result = await validate();
  assert.equal(result.ok, true, JSON.stringify(lastStep(result)));
  assert.deepEqual(envelopeExchange(result), ['C MAIL', 'C RCPT', 'C RCPT', 'C RSET', 'C QUIT', 'S 250', 'S 250', 'S 250', 'S 250', 'S 221']);
  assert.match(result.steps.find((s) => s.step === 'quit')!.reply, /^221 /);
  for (const name of ['mail', 'rcpt', 'relay']) {
    const step = result.steps.find((s) => s.step === name);
    assert.equal(step?.ok, true, name);
    assert.match(step!.reply, /^250 /, name);
  }
  assert.ok(result.transcript.some((l) => l.dir === '*' && /PIPELINING/.test(l.text)));
});

test('PIPELINING offered, sender refused: the mail step is diagnosed, the owed replies are read, QUIT (sent once) gets its 221', async () => {
  const result = await validate({ mailFromReply: { code: 550, message: '5.7.60 SMTP; Client does not have permissions to send as this sender' } });
  const step = lastStep(result);
  assert.equal(step.step, 'mail');
  assert.equal(step.hint?.code, 'SENDER_REFUSED');
  const exchange = envelopeExchange(result);
  assert.deepEqual(exchange, ['C MAIL', 'C RCPT', 'C RCPT', 'C RSET', 'C QUIT', 'S 550', 'S 503', 'S 503', 'S 250', 'S 221']);
});

test('PIPELINING offered, test recipient refused: the rcpt step is diagnosed, not the relay check', async () => {
  const result = await validate({ rcptToReply: { code: 550, message: '5.1.1 Recipient address rejected: User unknown' } });
  const step = lastStep(result);
  assert.equal(step.step, 'rcpt');
  assert.equal(step.hint?.code, 'RECIPIENT_REFUSED');
  assert.equal(
    result.steps.some((s) => s.step === 'relay'),
    false,
  );
  const exchange = envelopeExchange(result);
  assert.deepEqual(exchange.slice(0, 6), ['C MAIL', 'C RCPT', 'C RCPT', 'C RSET', 'C QUIT', 'S 250']);
  assert.equal(exchange.filter((l) => l === 'C QUIT').length, 1);
  assert.equal(exchange.at(-1), 'S 221');
});

test('a test-send pipelines MAIL and RCPT only: DATA waits for them, QUIT for the message', async () => {
  const server = await startSmtpServer();
  try {
    const result = await probe(configFor(server.port), { kind: 'test-send' });
    assert.equal(result.ok, true, JSON.stringify(lastStep(result)));
    assert.deepEqual(envelopeExchange(result), ['C MAIL', 'C RCPT', 'S 250', 'S 250', 'C DATA', 'S 354', 'C .', 'S 250', 'C QUIT', 'S 221']);
    assert.equal(server.received.length, 1);
  } finally {
    await server.close();
  }
});

test('no PIPELINING: one command at a time, each answered before the next is sent', async () => {
  const result = await validate({ hidePipelining: true });
  assert.equal(result.ok, true, JSON.stringify(lastStep(result)));
  assert.deepEqual(envelopeExchange(result), ['C MAIL', 'S 250', 'C RCPT', 'S 250', 'C RCPT', 'S 250', 'C RSET', 'S 250', 'C QUIT', 'S 221']);
});
