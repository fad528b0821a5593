import 'server-only';
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

export function toProbeRunView(row: ProbeRunRow, currentFingerprint: string) {
  return {
    id: row.id,
    kind: row.kind as 'validate' | 'test-send',
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
