import 'server-only';
// Where probes may connect and which extra roots they trust, from the environment (read once).
import { readFileSync } from 'node:fs';
import { allowedPortsFrom, parseAllowList } from '../smtp/destination-guard';

export type ProbeSettings = { allowedHosts: string[]; allowedPorts: number[]; trustedCa: string[]; timeoutMs: number };

let cached: ProbeSettings | null = null;

export function probeSettings(): ProbeSettings {
  if (cached) return cached;
  const caFile = process.env.SMTP_TRUSTED_CA_FILE;
  cached = {
    allowedHosts: parseAllowList(process.env.SMTP_ALLOWED_HOSTS ?? ''),
    allowedPorts: allowedPortsFrom(process.env.SMTP_ALLOWED_PORTS),
    trustedCa: caFile ? [readFileSync(caFile, 'utf8')] : [],
    timeoutMs: 30_000,
  };
  return cached;
}

/** Tests change the environment between files; they call this to read it again. */
export function resetProbeSettings(): void {
  cached = null;
}
