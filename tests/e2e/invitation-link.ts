// The link an invitee would follow from their mail. STAND-IN until Relaydesk's own mail reaches the demo
// sandbox (branch `ownmail`): the database keeps only the token's SHA-256, so this gives the open
// invitation of `email` a fresh token the test knows, in the e2e server's SQLite file. After the merge,
// read the link from the sandbox inbox instead and delete this file.
import { createHash, randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';

const E2E_DATABASE = '.e2e-data/e2e.db';

export function invitationLinkFor(email: string): string {
  const token = `rdi_${randomBytes(32).toString('base64url')}`;
  const database = new Database(E2E_DATABASE);
  try {
    database.pragma('busy_timeout = 5000');
    const changed = database
      .prepare('UPDATE "Invitation" SET "tokenHash" = ? WHERE "email" = ? AND "acceptedAt" IS NULL AND "revokedAt" IS NULL AND "replacedAt" IS NULL')
      .run(createHash('sha256').update(token, 'utf8').digest('hex'), email.toLowerCase()).changes;
    if (changed !== 1) throw new Error(`${email} has ${changed} open invitations`);
  } finally {
    database.close();
  }
  return `/invitations/${token}`;
}
