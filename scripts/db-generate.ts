// Generates the two Prisma clients (SQLite and PostgreSQL) from the one data model in prisma/schema.prisma.
// Prisma's CLI wants a schema-engine binary it downloads at first use; generating a client never runs it,
// and this machine cannot download it, so we point the CLI at a placeholder (docs/decisions/001).
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';

const source = readFileSync('prisma/schema.prisma', 'utf8');
const postgres = source
  .replace('provider = "sqlite"', 'provider = "postgresql"')
  .replace('output   = "../server/generated/sqlite"', 'output   = "../../server/generated/postgres"')
  .replace(/^\/\/ The one source[\s\S]*?\n\n/, '// GENERATED from prisma/schema.prisma by `npm run db:generate`. Do not edit.\n\n');
mkdirSync('prisma/postgres', { recursive: true });
writeFileSync('prisma/postgres/schema.prisma', postgres);

for (const schema of ['prisma/schema.prisma', 'prisma/postgres/schema.prisma']) {
  execFileSync('node', ['node_modules/prisma/build/index.js', 'generate', '--schema', schema], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: '/bin/false', PRISMA_HIDE_UPDATE_MESSAGE: '1' },
  });
}
console.log('Generated Prisma clients for SQLite and PostgreSQL.');
