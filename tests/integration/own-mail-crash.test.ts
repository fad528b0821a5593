import '../helpers/test-env';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { db } from '../helpers/factories';
import { allowLocalServers, waitFor, type Sink } from '../pipeline/helpers';
import { startOwnMailServer } from '../helpers/own-mail-server';
import { enqueueOwnMail } from '@/server/own-mail/enqueue-own-mail';

let own: Sink;
const children: ChildProcess[] = [];

before(async () => {
  own = await startOwnMailServer();
  await allowLocalServers(own.port);
});
after(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await own.close();
});

/** The real worker entry, as `npm start` runs it, against this test's database and RELAYDESK_SMTP_URL. */
function spawnWorker(): ChildProcess {
  const child = spawn(process.execPath, ['--conditions=react-server', '--import', 'tsx', 'scripts/worker.ts'], {
    env: { ...process.env, PIPELINE_POLL_MS: '25', PIPELINE_LEASE_MS: '1500', PIPELINE_BACKOFF_BASE_MS: '50', PIPELINE_BACKOFF_CAP_MS: '200' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  return child;
}
const exited = (child: ChildProcess) =>
  new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));

test('kill -9 the worker mid-send, start it again: every own mail arrives, a resent one keeps its Message-ID', { timeout: 120_000 }, async () => {
  const total = 30;
  for (let i = 0; i < total; i++) {
    await db.$transaction((tx) =>
      enqueueOwnMail(tx, {
        to: `person${i}@customer.test`,
        locale: 'en',
        kind: 'request.taken',
        subject: `Own ${i}`,
        text: `Body ${i}`,
        html: `<p>Body ${i}</p>`,
        threadKey: 'request:crash',
      }),
    );
  }
  const stored = await db.ownMail.findMany({ select: { messageId: true, toAddress: true } });
  assert.equal(stored.length, total);
  // Slow answers to DATA keep mails in flight when the kill comes.
  own.behaviour.dataDelayMs = 60;
  const first = spawnWorker();
  await waitFor('some mails sent', () => own.received.length >= 5, 60_000);
  first.kill('SIGKILL');
  assert.equal((await exited(first)).signal, 'SIGKILL');
  const unfinished = await db.ownMail.count({ where: { status: { in: ['queued', 'retrying'] } } });
  assert.ok(unfinished > 0, 'the kill came before everything was sent');

  own.behaviour.dataDelayMs = 0;
  const second = spawnWorker();
  await waitFor('all sent', async () => (await db.ownMail.count({ where: { status: 'sent' } })) === total, 60_000);
  for (const s of stored)
    assert.ok(
      own.received.some((m) => m.messageId === s.messageId && m.rcptTo.join() === s.toAddress),
      `${s.messageId} arrived`,
    );
  const ids = new Set(stored.map((s) => s.messageId));
  assert.ok(
    own.received.every((m) => ids.has(m.messageId)),
    'every copy, a duplicate included, carries the Message-ID given at enqueue',
  );
  // At most the mails in flight at the kill arrive twice (at-least-once; recognisable by their Message-ID).
  assert.ok(own.received.length - total <= 2, `${own.received.length - total} duplicates`);

  second.kill('SIGTERM');
  assert.deepEqual(await exited(second), { code: 0, signal: null });
  assert.equal(await db.ownMail.count({ where: { leaseOwner: { not: null } } }), 0);
});
