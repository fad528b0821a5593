import 'server-only';
// Whether an applied request's configuration is still the one in use, and if not, what displaced it: a
// later request (replaced) or a rollback (by a TAM or by the canary). Two applied requests no longer both read "Applied".
import type { VersionEntry } from './list-config-versions';

export type RequestConfigState =
  | { state: 'live'; version: number; appliedAt: string }
  | { state: 'replaced'; version: number; by: { version: number; requestId: string | null; requestNumber: string | null; at: string } }
  | { state: 'rolled-back'; version: number; by: { version: number; to: number | null; automatic: boolean; at: string } }
  | { state: 'not-live'; version: number };

export function requestConfigState(versions: VersionEntry[], active: VersionEntry | null, requestId: string): RequestConfigState | null {
  const sorted = [...versions].sort((a, b) => a.version - b.version);
  const own = sorted.filter((v) => v.requestId === requestId && v.source === 'apply').at(-1);
  if (!own) return null;
  if (active && active.requestId === requestId && active.fingerprint === own.fingerprint) return { state: 'live', version: active.version, appliedAt: active.appliedAt };
  const next = sorted.find((v) => v.version > own.version);
  if (!next) return { state: 'not-live', version: own.version };
  if (next.source === 'apply')
    return { state: 'replaced', version: own.version, by: { version: next.version, requestId: next.requestId, requestNumber: next.requestNumber, at: next.appliedAt } };
  return { state: 'rolled-back', version: own.version, by: { version: next.version, to: next.copiedFrom, automatic: next.source === 'auto-rollback', at: next.appliedAt } };
}
