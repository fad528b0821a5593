// The canonical form that an event's hash covers: JSON with keys sorted at every depth.
import { createHash } from 'node:crypto';

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export const GENESIS_HASH = '0'.repeat(64);

export type HashedFields = {
  seq: number;
  at: string;
  actorType: string;
  actorId: string | null;
  actorLabel: string;
  tenantId: string | null;
  action: string;
  targetType: string;
  targetId: string | null;
  before: string | null;
  after: string | null;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  prevHash: string;
};

// Sorted once: the same text canonicalJson() gives for these flat fields, without sorting per event
// (verification hashes every event; a test keeps the two forms equal).
const HASHED_KEYS = (['seq', 'at', 'actorType', 'actorId', 'actorLabel', 'tenantId', 'action', 'targetType', 'targetId', 'before', 'after', 'ip', 'userAgent', 'requestId', 'prevHash'] as const satisfies readonly (keyof HashedFields)[])
  .slice()
  .sort();
const KEY_PREFIXES = HASHED_KEYS.map((k, i) => `${i === 0 ? '{' : ','}${JSON.stringify(k)}:`);

export function canonicalEventText(fields: HashedFields): string {
  let text = '';
  for (let i = 0; i < HASHED_KEYS.length; i++) text += KEY_PREFIXES[i] + JSON.stringify(fields[HASHED_KEYS[i]!] ?? null);
  return `${text}}`;
}

/** SHA-256 over the canonical form of exactly the hashed fields (a stored row has more, like its own hash). */
export function eventHash(fields: HashedFields): string {
  return createHash('sha256').update(canonicalEventText(fields), 'utf8').digest('hex');
}
