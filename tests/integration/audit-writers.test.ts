import '../helpers/test-env';
// A fleet (issue 13): several processes write checkpoints into one checkpoints file at the same time
// while events are recorded; the chain and every checkpoint still verify.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { db } from '../helpers/factories';
import { assertFreshDatabase } from '../helpers/fresh-database';
import { firstForgedCheckpoint, readCheckpoints } from '@/server/audit/checkpoints';
import { recordEvent, SYSTEM_ACTOR } from '@/server/audit/record-event';
import { verifyChain } from '@/server/audit/verify-chain';

await assertFreshDatabase(db);

function startWriter() {
  const child = spawn(process.execPath, ['--conditions=react-server', '--import', 'tsx', 'tests/helpers/checkpoint-writer.ts'], {
    env: process.env,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  const ready = new Promise<void>((resolve) => child.stdout.on('data', () => out.includes('ready') && resolve()));
  const done = new Promise<number>((resolve, reject) =>
    child.on('exit', (code) => (code === 0 ? resolve((JSON.parse(out.trim().split('\n').pop()!) as { written: number }).written) : reject(new Error(`writer exited ${code}`)))),
  );
  return { ready, done, stop: () => child.stdin.end() };
}

test('two processes writing checkpoints at once, while events are recorded, leave a checkpoints file and a chain that verify', { timeout: 120_000 }, async () => {
  const writers = [startWriter(), startWriter()];
  await Promise.all(writers.map((w) => w.ready));
  for (let i = 0; i < 300; i++) {
    await db.$transaction((tx) => recordEvent(tx, SYSTEM_ACTOR, { action: 'pipeline.limits_changed', targetType: 'tenant', targetId: `event-${i}` }));
  }
  writers.forEach((w) => w.stop());
  const written = await Promise.all(writers.map((w) => w.done));
  assert.ok(
    written.every((n) => n > 0),
    `both processes wrote checkpoints: ${written.join(', ')}`,
  );
  const checkpoints = readCheckpoints();
  assert.equal(checkpoints.length, written[0]! + written[1]!, 'every checkpoint written is in the file, whole');
  assert.equal(firstForgedCheckpoint(checkpoints), undefined, 'each line names the one before it');
  assert.equal(Math.max(...checkpoints.map((c) => c.seq)), 300, 'the newest checkpoint names the head');
  const report = await verifyChain();
  assert.deepEqual({ ok: report.ok, firstBrokenSeq: report.firstBrokenSeq, checked: report.checked }, { ok: true, firstBrokenSeq: null, checked: 300 });
});
