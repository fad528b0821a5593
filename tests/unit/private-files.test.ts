// Database, secrets and key files are created readable by their owner only (0600), whatever the umask.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { migrateDatabase } from '@/server/db-migrate';
import { ensureSandboxCertificates } from '@/server/sandbox/sandbox-ca';
import { ensureDemoSecrets } from '../../scripts/demo-secrets';

const modeOf = (file: string) => statSync(file).mode & 0o777;

test('the SQLite database file is created 0600', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'relaydesk-modes-'));
  const previous = process.umask(0o022);
  try {
    const file = path.join(dir, 'nested', 'relaydesk.db');
    await migrateDatabase(`file:${file}`);
    assert.equal(modeOf(file), 0o600);
  } finally {
    process.umask(previous);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('demo secrets, the demo audit signing key and the sandbox key are written 0600, also over an older wider file', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'relaydesk-modes-'));
  const previous = process.umask(0o022);
  const savedEnv = { ...process.env };
  try {
    // An older data folder: a world-readable secrets file lacking the newer entries.
    writeFileSync(path.join(dir, 'demo-secrets.json'), JSON.stringify({ AUTH_SECRET: 'older-secret' }));
    chmodSync(path.join(dir, 'demo-secrets.json'), 0o644);
    ensureDemoSecrets(dir);
    assert.equal(modeOf(path.join(dir, 'demo-secrets.json')), 0o600);
    assert.equal(modeOf(path.join(dir, 'audit-signing-key.pem')), 0o600);
    const certs = await ensureSandboxCertificates(dir);
    assert.equal(modeOf(certs.keyFile), 0o600);
  } finally {
    process.env = savedEnv;
    process.umask(previous);
    rmSync(dir, { recursive: true, force: true });
  }
});
