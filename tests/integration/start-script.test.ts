// `npm start` as an operator runs it (the real script, a temp SQLite data folder, an ephemeral PORT):
// a dead child is restarted with backoff and logged, never left dead; production refuses to start without
// an audit signing key from outside the data folder; the database file is created owner-only.
// Only the worker runs (RELAYDESK_RUN=worker): no build. PATH is emptied so that even a start script that
// ignored RELAYDESK_RUN could not run `next build` (it would fail at once instead).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';

const roots: string[] = [];
after(() => roots.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A production environment in a fresh temp folder; the signing key file sits beside the data folder, not in it. */
async function productionEnv(overrides: Record<string, string | undefined> = {}) {
  const root = mkdtempSync(path.join(os.tmpdir(), 'relaydesk-start-'));
  roots.push(root);
  const dataDir = path.join(root, 'data');
  const keyFile = path.join(root, 'audit-signing-key.pem');
  writeFileSync(keyFile, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  const env: Record<string, string | undefined> = {
    PATH: path.join(root, 'no-bin'),
    HOME: root,
    RELAYDESK_DEMO: '0',
    RELAYDESK_RUN: 'worker',
    PORT: String(await freePort()),
    RELAYDESK_DATA_DIR: dataDir,
    DATABASE_URL: `file:${path.join(dataDir, 'relaydesk.db')}`,
    RELAYDESK_AUDIT_CHECKPOINTS: path.join(root, 'checkpoints', 'audit-checkpoints.jsonl'),
    RELAYDESK_SECRET_KEYS: `k1:${Buffer.alloc(32, 3).toString('base64')}`,
    AUTH_SECRET: 'start-script-test-auth-secret-0123456789',
    RELAYDESK_AUDIT_SIGNING_KEY_FILE: keyFile,
    PIPELINE_POLL_MS: '1000',
    ...overrides,
  };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  return { env: env as NodeJS.ProcessEnv, dataDir };
}

type Started = {
  child: ChildProcess;
  output: () => string;
  waitFor: (pattern: RegExp, ms?: number) => Promise<RegExpMatchArray>;
  exited: Promise<{ code: number | null; signal: string | null }>;
};

function startScript(env: NodeJS.ProcessEnv): Started {
  const child = spawn(process.execPath, ['--conditions=react-server', '--import', 'tsx', 'scripts/start.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const waiters = new Set<() => void>();
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
    waiters.forEach((w) => w());
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const waitFor = (pattern: RegExp, ms = 60_000) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const check = () => {
        const match = output.match(pattern);
        if (!match) return;
        waiters.delete(check);
        clearTimeout(timer);
        resolve(match);
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`Timed out waiting for ${pattern}; output so far:\n${output}`));
      }, ms);
      waiters.add(check);
      void exited.then(() =>
        setTimeout(() => {
          if (!output.match(pattern)) {
            waiters.delete(check);
            clearTimeout(timer);
            reject(new Error(`npm start exited before ${pattern}; output:\n${output}`));
          }
        }, 50),
      );
      check();
    });
  return { child, output: () => output, waitFor, exited };
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test('a worker killed with SIGKILL is restarted after a logged backoff; npm start keeps running and stops cleanly', async () => {
  const { env, dataDir } = await productionEnv();
  const start = startScript(env);
  try {
    const first = Number((await start.waitFor(/notification worker running \(pid (\d+)\)/))[1]);
    await start.waitFor(/notification worker \S+ started/);
    assert.equal(statSync(path.join(dataDir, 'relaydesk.db')).mode & 0o777, 0o600, 'the SQLite database is created owner-only');

    process.kill(first, 'SIGKILL');
    const second = Number(
      (await start.waitFor(/notification worker stopped unexpectedly \(signal SIGKILL\); restarting it in 1 s[\s\S]*notification worker running \(pid (\d+)\)/, 10_000))[1],
    );
    assert.notEqual(second, first);
    assert.equal(start.child.exitCode, null, 'npm start is still running');
    assert.ok(alive(second), 'the new worker is alive');
    await start.waitFor(new RegExp(`notification worker \\S+ started[\\s\\S]*notification worker \\S+ started`), 30_000);

    start.child.kill('SIGTERM');
    const { code } = await start.exited;
    assert.equal(code, 0, start.output());
    assert.equal(alive(second), false, 'stopping npm start stops its worker');
    assert.doesNotMatch(start.output(), /running \(pid \d+\)[\s\S]*running \(pid \d+\)[\s\S]*running \(pid \d+\)/, 'no restart after a requested stop');
  } finally {
    if (start.child.exitCode === null) start.child.kill('SIGKILL');
  }
});

test('a process that keeps dying is restarted after 1, 2, 4, 8 and 16 s, then npm start gives up and exits non-zero', { timeout: 120_000 }, async () => {
  // The demo sandbox's port is taken: every start of the sandbox fails at once.
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  const root = mkdtempSync(path.join(os.tmpdir(), 'relaydesk-start-'));
  roots.push(root);
  const start = startScript({
    PATH: path.join(root, 'no-bin'),
    HOME: root,
    RELAYDESK_DEMO: '1',
    RELAYDESK_RUN: 'sandbox',
    RELAYDESK_DATA_DIR: path.join(root, 'data'),
    SANDBOX_PORT: String((taken.address() as { port: number }).port),
    PORT: String(await freePort()),
    NODE_ENV: 'production',
  });
  try {
    const { code } = await start.exited;
    assert.equal(code, 1, start.output());
    const delays = [...start.output().matchAll(/SMTP sandbox stopped unexpectedly \(exit code 1\); restarting it in (\d+) s/g)].map((m) => Number(m[1]));
    assert.deepEqual(delays, [1, 2, 4, 8, 16]);
    assert.match(start.output(), /SMTP sandbox stopped unexpectedly \(exit code 1\) 6 times in a row; giving up/);
    assert.equal((start.output().match(/SMTP sandbox running \(pid \d+\)/g) ?? []).length, 6);
  } finally {
    if (start.child.exitCode === null) start.child.kill('SIGKILL');
    taken.close();
  }
});

test('outside demo mode, npm start refuses to start without an audit signing key from outside the data folder, naming the variable', async () => {
  const missing = await productionEnv({ RELAYDESK_AUDIT_SIGNING_KEY_FILE: undefined });
  const noKey = startScript(missing.env);
  const { code } = await noKey.exited;
  assert.notEqual(code, 0);
  assert.match(noKey.output(), /RELAYDESK_AUDIT_SIGNING_KEY/);
  assert.equal(existsSync(path.join(missing.dataDir, 'audit-signing-key.pem')), false, 'no key is generated into the data folder');
  assert.equal(existsSync(path.join(missing.dataDir, 'relaydesk.db')), false, 'it refuses before touching the database');

  // A key file inside the data folder is refused too: whoever can rewrite the database folder could re-sign.
  const inside = await productionEnv();
  const keyInData = path.join(inside.dataDir, 'audit-signing-key.pem');
  mkdirSync(inside.dataDir, { recursive: true });
  writeFileSync(keyInData, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }));
  const inData = startScript({ ...inside.env, RELAYDESK_AUDIT_SIGNING_KEY_FILE: keyInData });
  assert.notEqual((await inData.exited).code, 0);
  assert.match(inData.output(), /RELAYDESK_AUDIT_SIGNING_KEY_FILE is inside the data folder/);

  // Something that is not an Ed25519 private key is named, without printing it.
  const garbage = await productionEnv({ RELAYDESK_AUDIT_SIGNING_KEY_FILE: undefined, RELAYDESK_AUDIT_SIGNING_KEY: 'not-a-key-Secret-123' });
  const bad = startScript(garbage.env);
  assert.notEqual((await bad.exited).code, 0);
  assert.match(bad.output(), /RELAYDESK_AUDIT_SIGNING_KEY/);
  assert.doesNotMatch(bad.output(), /not-a-key-Secret-123/);
});
