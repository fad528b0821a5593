import 'server-only';
// What a probe run shows. Staff (probe.read) see every run of a request: the TAM's validations and
// test-sends and the customer's checks. A customer admin sees only the checks the tenant's customers ran
// (byCustomer): steps, diagnoses, the redacted transcript, the certificate chain — their own server —
// never the TAM's runs nor the diagnostics bundle (docs/decisions/023).
import type { ProbeStep, TranscriptLine, TlsInfo } from '../smtp/types';

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
