// A customer's server must not be able to hurt the service (issue 11): an endless reply ends the step
// at once with a diagnosis, the run stays small, and the process's memory stays flat.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RUN_TRANSCRIPT_BUDGET_BYTES } from '../../server/smtp/text-budget';
import { startFloodingServer, startScriptedServer } from '../helpers/smtp-raw-servers';
import { configFor, lastStep, probe } from '../helpers/smtp-fixtures';

const PRODUCTION = { timeoutMs: 30_000, stepTimeoutMs: 30_000 };
const MB = 1024 * 1024;

/** Runs work while sampling memory every 20 ms; returns the result and the peak growth over the start. */
async function measured<T>(work: () => Promise<T>): Promise<{ value: T; rssGrowth: number; heapGrowth: number }> {
  const start = process.memoryUsage();
  let rss = start.rss;
  let heap = start.heapUsed;
  const sampler = setInterval(() => {
    const now = process.memoryUsage();
    rss = Math.max(rss, now.rss);
    heap = Math.max(heap, now.heapUsed);
  }, 20);
  try {
    const value = await work();
    const end = process.memoryUsage();
    return { value, rssGrowth: Math.max(rss, end.rss) - start.rss, heapGrowth: Math.max(heap, end.heapUsed) - start.heapUsed };
  } finally {
    clearInterval(sampler);
  }
}

for (const at of ['greeting', 'ehlo'] as const) {
  test(`an endless ${at} at full speed: the step fails at once with UNBOUNDED_REPLY, the run is bounded, memory stays flat`, async () => {
    const server = await startFloodingServer(at);
    try {
      const {
        value: result,
        rssGrowth,
        heapGrowth,
      } = await measured(() => probe(configFor(server.port, { encryption: 'none', authMethod: 'none', username: '', password: '' }), PRODUCTION));
      const step = lastStep(result);
      assert.equal(step.step, at);
      assert.deepEqual(step.hint, { code: 'UNBOUNDED_REPLY', params: { step: at, port: server.port } });
      assert.ok(result.durationMs < 3000, `took ${result.durationMs} ms`);
      const stored = JSON.stringify(result).length;
      assert.ok(stored < RUN_TRANSCRIPT_BUDGET_BYTES, `the run is ${stored} bytes`);
      assert.ok(
        result.transcript.some((l) => /lines omitted/.test(l.text)),
        'the shortened middle is marked',
      );
      assert.ok(rssGrowth < 100 * MB, `rss grew by ${Math.round(rssGrowth / MB)} MB`);
      assert.ok(heapGrowth < 100 * MB, `heap grew by ${Math.round(heapGrowth / MB)} MB`);
      console.log(
        `${at} flood: server sent ${Math.round(server.bytes() / 1024)} KB; run ${stored} bytes in ${result.durationMs} ms; rss +${Math.round(rssGrowth / MB)} MB, heap +${Math.round(heapGrowth / MB)} MB`,
      );
    } finally {
      await server.close();
    }
  });
}

test('a long but finite reply is kept head and tail with a marker; its capabilities are still read', async () => {
  const filler = Array.from({ length: 500 }, (_, i) => `250-X-FILLER-${i}`).join('\r\n');
  const server = await startScriptedServer({
    replies: { EHLO: `250-long.relaydesk.test\r\n250-STARTTLS\r\n${filler}\r\n250 AUTH PLAIN`, QUIT: '221 Bye' },
  });
  try {
    const result = await probe(configFor(server.port, { encryption: 'none', authMethod: 'none', username: '', password: '' }));
    const ehlo = result.steps.find((s) => s.step === 'ehlo')!;
    assert.match(ehlo.reply, /… 471 lines omitted …/);
    assert.equal(ehlo.reply.split('\n').length, 33);
    assert.ok(result.capabilities?.includes('STARTTLS') && result.capabilities.includes('AUTH PLAIN'));
    assert.ok(result.transcript.some((l) => l.text === '… 471 lines omitted …'));
    assert.ok(result.transcript.filter((l) => l.dir === 'S').length < 40);
  } finally {
    await server.close();
  }
});
