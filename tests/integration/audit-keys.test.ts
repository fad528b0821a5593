import '../helpers/test-env';
// The keys of the audit trail (issue 11): an auditor verifies with the public key alone, nothing generates a
// key outside demo mode, and a checkpoints file of another database is named as such, not as tampering.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { api } from '../helpers/api';
import { db, makeTenantWithPeople, makeUser, validRequestBody } from '../helpers/factories';
import { assertFreshDatabase } from '../helpers/fresh-database';
import { checkpointsFile, signCheckpoint, writeCheckpoint, type Checkpoint } from '@/server/audit/checkpoints';
import { GENESIS_HASH } from '@/server/audit/canonical';
import { verifyChain } from '@/server/audit/verify-chain';
import { isPostgres } from '@/server/db';

await assertFreshDatabase(db);

const run = promisify(execFile);
async function adminCli(env: NodeJS.ProcessEnv, ...args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--conditions=react-server', '--import', 'tsx', 'scripts/admin.ts', ...args], { env });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** What an attacker with database access could do: switch the append-only guard off for one statement. */
async function asAttacker(sql: string) {
  if (isPostgres) {
    await db.$transaction([db.$executeRawUnsafe('SET LOCAL session_replication_role = replica'), db.$executeRawUnsafe(sql)]);
  } else {
    await db.$executeRawUnsafe('DROP TRIGGER IF EXISTS "AuditEvent_no_update"');
    await db.$executeRawUnsafe(sql);
  }
}

const people = await makeTenantWithPeople();
const auditor = await makeUser('auditor');
await api('POST', '/api/v1/smtp-requests', { token: people.admin.token, body: validRequestBody() });
const signingPem = process.env.RELAYDESK_AUDIT_SIGNING_KEY!;
const publicPem = createPublicKey(signingPem).export({ type: 'spki', format: 'pem' }).toString();

/** Runs `body` with the audit key variables set to exactly `keys` (others unset), then restores them. */
async function withKeys<T>(keys: { RELAYDESK_AUDIT_SIGNING_KEY?: string; RELAYDESK_AUDIT_VERIFY_KEY?: string }, body: () => Promise<T>): Promise<T> {
  const names = ['RELAYDESK_AUDIT_SIGNING_KEY', 'RELAYDESK_AUDIT_SIGNING_KEY_FILE', 'RELAYDESK_AUDIT_VERIFY_KEY'] as const;
  const saved = Object.fromEntries(names.map((n) => [n, process.env[n]]));
  for (const n of names) delete process.env[n];
  Object.assign(process.env, keys);
  try {
    return await body();
  } finally {
    for (const n of names) delete process.env[n];
    for (const n of names) if (saved[n] !== undefined) process.env[n] = saved[n];
  }
}

test('an auditor verifies with the public key alone (function, API, admin CLI); without any key the CLI names the variable and generates nothing', async () => {
  assert.ok(await writeCheckpoint());
  const count = await db.auditEvent.count();
  const auditorDir = mkdtempSync(path.join(os.tmpdir(), 'relaydesk-auditor-'));
  await withKeys({ RELAYDESK_AUDIT_VERIFY_KEY: publicPem }, async () => {
    const report = await verifyChain();
    assert.equal(report.ok, true, JSON.stringify(report));
    assert.ok(report.checkpoints >= 1);
    const viaApi = await api('GET', '/api/v1/audit-events/verify', { token: auditor.token });
    assert.equal(viaApi.status, 200, viaApi.text);
    assert.equal(viaApi.body.ok, true);

    const cli = await adminCli({ ...process.env, RELAYDESK_DATA_DIR: auditorDir }, 'audit-verify');
    assert.equal(cli.code, 0, cli.stderr + cli.stdout);
    const printed = JSON.parse(cli.stdout) as { ok: boolean; checked: number; checkpoints: number };
    assert.equal(printed.ok, true);
    assert.ok(printed.checked >= count && printed.checkpoints >= 1);
  });

  // Another key pair's public key does not vouch for these checkpoints.
  const otherPublic = createPublicKey(generateKeyPairSync('ed25519').privateKey).export({ type: 'spki', format: 'pem' }).toString();
  await withKeys({ RELAYDESK_AUDIT_VERIFY_KEY: otherPublic }, async () => assert.equal((await verifyChain()).ok, false));

  await withKeys({}, async () => {
    const cli = await adminCli({ ...process.env, RELAYDESK_DATA_DIR: auditorDir }, 'audit-verify');
    assert.notEqual(cli.code, 0);
    assert.match(cli.stderr, /RELAYDESK_AUDIT_VERIFY_KEY/);
    await api('POST', '/api/v1/smtp-requests', { token: people.admin.token, body: validRequestBody() });
    await assert.rejects(writeCheckpoint(), /RELAYDESK_AUDIT_SIGNING_KEY/, 'nothing signs without a configured key');
  });
  assert.deepEqual(readdirSync(auditorDir), [], 'no key was generated into the data folder');
  assert.equal(existsSync(path.join(process.env.RELAYDESK_DATA_DIR!, 'audit-signing-key.pem')), false);
});

test('checkpoint files are created owner-only (0600)', async () => {
  const saved = process.env.RELAYDESK_AUDIT_CHECKPOINTS;
  const fresh = path.join(mkdtempSync(path.join(os.tmpdir(), 'relaydesk-cp-')), 'nested', 'audit-checkpoints.jsonl');
  process.env.RELAYDESK_AUDIT_CHECKPOINTS = fresh;
  try {
    assert.ok(await writeCheckpoint());
    assert.equal(statSync(fresh).mode & 0o777, 0o600);
  } finally {
    process.env.RELAYDESK_AUDIT_CHECKPOINTS = saved;
  }
});

test('every checkpoint line names the chain’s genesis; a checkpoints file of another database is reported as such, and not appended to', async () => {
  await api('POST', '/api/v1/smtp-requests', { token: people.admin.token, body: validRequestBody() });
  assert.ok(await writeCheckpoint());
  const genesis = (await db.auditEvent.findUniqueOrThrow({ where: { seq: 1 } })).hash;
  const own = readFileSync(checkpointsFile(), 'utf8');
  for (const line of own.trim().split('\n')) assert.equal((JSON.parse(line) as Checkpoint).genesis, genesis);

  // Another database's file: signed with the same key (the same deployment's key), its first checkpoint
  // names seq 2 with a hash this database never had.
  const otherGenesis = randomBytes(32).toString('hex');
  const foreign = [2, 9].reduce<string[]>((lines, seq) => {
    const prev = lines.length ? createHashHex(lines.at(-1)!) : GENESIS_HASH;
    return [...lines, JSON.stringify(signCheckpoint({ seq, hash: randomBytes(32).toString('hex'), at: new Date().toISOString(), prev, genesis: otherGenesis }))];
  }, []);
  writeFileSync(checkpointsFile(), `${foreign.join('\n')}\n`);
  try {
    const report = await verifyChain();
    assert.deepEqual(
      { ok: report.ok, firstBrokenSeq: report.firstBrokenSeq, reason: report.reason },
      { ok: false, firstBrokenSeq: null, reason: 'checkpoints-of-another-database' },
    );
    const viaApi = await api('GET', '/api/v1/audit-events/verify', { token: auditor.token });
    assert.equal(viaApi.body.reason, 'checkpoints-of-another-database');
    await assert.rejects(writeCheckpoint(), /belongs to another database[\s\S]*RELAYDESK_AUDIT_CHECKPOINTS/);
    assert.equal(readFileSync(checkpointsFile(), 'utf8'), `${foreign.join('\n')}\n`, 'nothing appended');

    // Its genesis changed by hand to this database's (without the key): a forgery, not another database.
    writeFileSync(checkpointsFile(), `${foreign.join('\n').replaceAll(otherGenesis, genesis)}\n`);
    const forged = await verifyChain();
    assert.equal(forged.ok, false);
    assert.equal(forged.reason, undefined);
    assert.ok(forged.firstBrokenSeq !== null);
  } finally {
    writeFileSync(checkpointsFile(), own);
  }
  assert.equal((await verifyChain()).ok, true, 'this database’s own file verifies again');
});

test('tampering with this database is still reported at the event, not as another database; lines without genesis keep verifying', async () => {
  const own = readFileSync(checkpointsFile(), 'utf8');
  const victim = await db.auditEvent.findUniqueOrThrow({ where: { seq: 2 } });
  await asAttacker(`UPDATE "AuditEvent" SET "actorLabel" = 'someone else' WHERE seq = 2`);
  try {
    const report = await verifyChain();
    assert.deepEqual({ ok: report.ok, firstBrokenSeq: report.firstBrokenSeq, reason: report.reason }, { ok: false, firstBrokenSeq: 2, reason: undefined });
  } finally {
    await asAttacker(`UPDATE "AuditEvent" SET "actorLabel" = '${victim.actorLabel.replaceAll("'", "''")}' WHERE seq = 2`);
  }
  assert.equal((await verifyChain()).ok, true);

  // Lines written before genesis was recorded: chained, signed, no genesis.
  const legacy = own
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Checkpoint)
    .reduce<string[]>((lines, c) => {
      const prev = lines.length ? createHashHex(lines.at(-1)!) : GENESIS_HASH;
      return [...lines, JSON.stringify(signCheckpoint({ seq: c.seq, hash: c.hash, at: c.at, prev }))];
    }, []);
  writeFileSync(checkpointsFile(), `${legacy.join('\n')}\n`);
  try {
    assert.equal((await verifyChain()).ok, true, 'older lines without genesis verify');
    await api('POST', '/api/v1/smtp-requests', { token: people.admin.token, body: validRequestBody() });
    assert.ok(await writeCheckpoint(), 'a line with genesis is appended after them');
    assert.equal((await verifyChain()).ok, true);
  } finally {
    writeFileSync(checkpointsFile(), own);
  }
});

function createHashHex(line: string): string {
  return createHash('sha256').update(line, 'utf8').digest('hex');
}
