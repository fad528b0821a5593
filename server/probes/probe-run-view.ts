import 'server-only';
// What a probe run shows. Staff (probe.read) see every run of a request: the TAM's validations and
// test-sends and the customer's checks. A customer admin sees only the checks the tenant's customers ran
// (byCustomer): steps, diagnoses, the redacted transcript, the certificate chain — their own server —
// never the TAM's runs nor the diagnostics bundle (docs/decisions/023).
import { z } from 'zod';
import { DIAGNOSIS_CODES, STEP_NAMES, type ProbeStep, type TranscriptLine, type TlsInfo } from '../smtp/types';
import { DOMAIN_FINDING_CODES } from '../smtp/domain-types';

export type ProbeRunRow = {
  id: string;
  kind: string;
  ok: boolean;
  fingerprint: string;
  recipient: string;
  startedAt: Date;
  durationMs: number;
  steps: string;
  transcript: string;
  tls: string | null;
  capabilities: string | null;
  messageId: string | null;
  finalReply: string | null;
};

const Params = z.record(z.string(), z.union([z.string(), z.number()]));
const Certificate = z.object({
  subject: z.string(),
  subjectAltNames: z.array(z.string()),
  issuer: z.string(),
  validFrom: z.string(),
  validTo: z.string(),
  fingerprint256: z.string(),
});

export const ProbeStepSchema = z.object({
  step: z.enum(STEP_NAMES),
  ok: z.boolean(),
  ms: z.number(),
  reply: z.string(),
  detail: z.string(),
  hint: z.object({ code: z.enum(DIAGNOSIS_CODES), params: Params }).nullable(),
  field: z.string().nullable().describe('The request field to change to fix the failure'),
  findings: z
    .array(
      z.object({
        check: z.enum(['spf', 'dkim', 'dmarc', 'mx']),
        result: z.enum(['pass', 'warn', 'fail']),
        detail: z.string(),
        record: z.string().nullable(),
        code: z.enum(DOMAIN_FINDING_CODES),
        params: Params,
      }),
    )
    .optional()
    .describe('The domain step only: SPF, DKIM, DMARC and MX of the no-reply domain'),
});

/** The outward shape of a probe run (API, pages, diagnostics bundle); the OpenAPI document shows this schema. */
export const ProbeRunViewSchema = z.object({
  id: z.string(),
  kind: z.enum(['validate', 'test-send']),
  ok: z.boolean(),
  fingerprint: z.string(),
  matchesCurrentConfig: z.boolean(),
  byCustomer: z.boolean().describe("A check the tenant's customer ran (POST /smtp-checks or /smtp-requests/{id}/check)"),
  recipient: z.string(),
  startedAt: z.string(),
  durationMs: z.number().int(),
  steps: z.array(ProbeStepSchema),
  transcript: z.array(z.object({ at: z.number(), dir: z.enum(['C', 'S', '*']), text: z.string() })),
  tls: z.object({ protocol: z.string(), cipher: z.string(), certificates: z.array(Certificate) }).nullable(),
  capabilities: z.array(z.string()).nullable(),
  messageId: z.string().nullable(),
  finalReply: z.string().nullable(),
});

export function toProbeRunView(row: ProbeRunRow, currentFingerprint: string, { byCustomer = false } = {}) {
  return {
    id: row.id,
    kind: row.kind as 'validate' | 'test-send',
    /** A customer's own check of their settings (not a TAM's live check). */
    byCustomer,
    ok: row.ok,
    fingerprint: row.fingerprint,
    matchesCurrentConfig: row.fingerprint === currentFingerprint,
    recipient: row.recipient,
    startedAt: row.startedAt.toISOString(),
    durationMs: row.durationMs,
    steps: JSON.parse(row.steps) as ProbeStep[],
    transcript: JSON.parse(row.transcript) as TranscriptLine[],
    tls: row.tls ? (JSON.parse(row.tls) as TlsInfo) : null,
    capabilities: row.capabilities ? (JSON.parse(row.capabilities) as string[]) : null,
    messageId: row.messageId,
    finalReply: row.finalReply,
  };
}

export type ProbeRunView = ReturnType<typeof toProbeRunView>;
// tsc keeps the documented shape and the real one together: a field added to one and not the other fails here.
const _documented: (row: ProbeRunRow, fingerprint: string) => z.input<typeof ProbeRunViewSchema> = toProbeRunView;
