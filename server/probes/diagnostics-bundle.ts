import 'server-only';
// The downloadable diagnostics bundle: everything a mail admin needs to read a failure, nothing secret.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { CurrentUser } from '../auth/current-user';
import { db } from '../db';
import { recordEvent } from '../audit/record-event';
import { actorOf } from '../audit/actor';
import { configContentOf } from '@/lib/smtp-config-model';
import { requestNumberLabel } from '../requests/request-view';
import { auditableFields } from '../requests/request-fields';
import { secretAudit, secretColumnsOf } from '../requests/secret-columns';
import type { RequestMeta } from '../auth/current-user';
import { getProbeRunWithRequest } from './list-probe-runs';
import { ProbeRunViewSchema } from './probe-run-view';

export const DiagnosticsBundleSchema = z.object({
  generatedAt: z.string(),
  versions: z.object({ relaydesk: z.string(), node: z.string(), nodemailer: z.string() }),
  request: z.object({
    number: z.string(),
    tenant: z.string(),
    status: z.string(),
    fingerprint: z.string(),
    config: z.record(z.string(), z.unknown()).describe('The configuration without any secret (each only "set" or "not set"), the username redacted'),
  }),
  run: ProbeRunViewSchema.extend({ transcriptText: z.string() }),
});

const require = createRequire(import.meta.url);
const versionOf = (pkg: string) => {
  try {
    return (require(`${pkg}/package.json`) as { version: string }).version;
  } catch {
    return 'unknown';
  }
};

function relaydeskVersion(): string {
  try {
    return (JSON.parse(readFileSync(path.join(process.cwd(), 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

export function transcriptText(lines: { at: number; dir: string; text: string }[]): string {
  return lines.map((l) => `${String(l.at).padStart(6)} ms ${l.dir === 'C' ? 'C:' : l.dir === 'S' ? 'S:' : ' *'} ${l.text}`).join('\n');
}

export async function diagnosticsBundle(user: CurrentUser, runId: string, meta?: RequestMeta): Promise<{ filename: string; bundle: z.input<typeof DiagnosticsBundleSchema> }> {
  const { run, request } = await getProbeRunWithRequest(user, runId);
  await db.$transaction((tx) => recordEvent(tx, actorOf(user, meta), { action: 'probe.bundle_downloaded', tenantId: request.tenantId, targetType: 'probe-run', targetId: run.id }));
  const number = requestNumberLabel(request.number);
  return {
    filename: `relaydesk-${number}-${run.kind}-${run.id.slice(0, 8)}.json`,
    bundle: {
      generatedAt: new Date().toISOString(),
      versions: { relaydesk: relaydeskVersion(), node: process.version, nodemailer: versionOf('nodemailer') },
      request: {
        number,
        tenant: request.tenant.slug,
        status: request.status,
        fingerprint: request.fingerprint,
        // The configuration without any secret (each only "set" or "not set"), the username redacted.
        config: {
          ...auditableFields(configContentOf(request)),
          ...secretAudit(null, secretColumnsOf(request), {}).after,
        },
      },
      run: { ...run, transcriptText: transcriptText(run.transcript) },
    },
  };
}
