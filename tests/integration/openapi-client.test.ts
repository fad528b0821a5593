import '../helpers/test-env';
// A client generated from the OpenAPI document (openapi-typescript, no network) type-checks a small script
// that uses it — and a script that misuses it does not: the document is precise enough to build on.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import openapiTS, { astToString } from 'openapi-typescript';
import { openApiDocument } from '@/server/http/openapi';

const dir = mkdtempSync(path.join(os.tmpdir(), 'relaydesk-client-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const USE = `
import type { components, paths } from './api';

type RequestPage = paths['/api/v1/smtp-requests']['get']['responses'][200]['content']['application/json'];
type NewRequest = paths['/api/v1/smtp-requests']['post']['requestBody']['content']['application/json'];
type Problem = components['schemas']['Problem'];
type Run = paths['/api/v1/smtp-requests/{id}/validate']['post']['responses'][200]['content']['application/json'];

export async function firstHost(fetchJson: (url: string) => Promise<unknown>): Promise<string | null> {
  const page = (await fetchJson('/api/v1/smtp-requests?limit=1')) as RequestPage;
  const first = page.items[0];
  return first ? \`\${first.number} \${first.host}:\${first.port} \${first.status} \${first.hasPassword}\` : page.nextCursor;
}

export const body: NewRequest = { host: 'smtp.example.com', port: 587, encryption: 'starttls', authMethod: 'plain', noReplyAddress: 'noreply@example.com', testRecipient: 'ops@example.com' };
export const fieldsOf = (p: Problem) => (p.errors ?? []).map((e) => \`\${e.path}: \${e.message}\`);
export const failedSteps = (run: Run) => run.steps.filter((s) => !s.ok).map((s) => \`\${s.step} \${s.hint?.code ?? ''}\`);
export const pausedOf = (h: components['schemas']['PipelineHealth']) => h.paused && h.pausedReason;
`;

const MISUSE = `
import type { components, paths } from './api';
type NewRequest = paths['/api/v1/smtp-requests']['post']['requestBody']['content']['application/json'];
export const body: NewRequest = { host: 'smtp.example.com', port: '587', encryption: 'starttls', authMethod: 'plain', noReplyAddress: 'a@example.com', testRecipient: 'b@example.com' };
export const secret = (r: components['schemas']['SmtpRequest']) => r.password;
`;

async function typeCheck(source: string): Promise<{ ok: boolean; output: string }> {
  writeFileSync(path.join(dir, 'use.ts'), source);
  const tsc = path.join(process.cwd(), 'node_modules', 'typescript', 'bin', 'tsc');
  const args = ['--noEmit', '--strict', '--target', 'es2022', '--module', 'esnext', '--moduleResolution', 'bundler', '--skipLibCheck', path.join(dir, 'use.ts')];
  try {
    await promisify(execFile)(process.execPath, [tsc, ...args], { cwd: dir });
    return { ok: true, output: '' };
  } catch (error) {
    return { ok: false, output: String((error as { stdout?: string }).stdout ?? error) };
  }
}

test('a TypeScript client generated from the document type-checks a script that uses it, and refuses one that misuses it', async () => {
  // defaultNonNullable: false — a request field with a default (username '', notes '') may be left out; by
  // default openapi-typescript would make every field with a default required, in requests too.
  const ast = await openapiTS(openApiDocument() as unknown as Parameters<typeof openapiTS>[0], { defaultNonNullable: false });
  writeFileSync(path.join(dir, 'api.ts'), astToString(ast));

  const used = await typeCheck(USE);
  assert.ok(used.ok, used.output);

  const misused = await typeCheck(MISUSE);
  assert.equal(misused.ok, false);
  assert.match(misused.output, /use\.ts\(4,.*Type 'string' is not assignable to type 'number'/);
  assert.match(misused.output, /use\.ts\(5,.*Property 'password' does not exist/);
});
