import 'server-only';
// The TAM's path through a request — Take → Validate → Test → Apply — as the request page shows it: each
// step done, possible or blocked (with why, as a message key of the catalogs), and the first possible one is the next
// action. Derived from the lifecycle's own rules (transitions, probe statuses, the apply gate).
import { canProbeStatus, probeClosedReason } from '@/lib/request-status';
import type { ApplyGate } from '../config-versions/apply-gate';
import { TRANSITIONS } from './transition-request';

export type PathStepName = 'take' | 'validate' | 'test' | 'apply';
export type PathStep = { step: PathStepName; state: 'done' | 'next' | 'possible' | 'blocked'; reason: string | null };

const REACHED: Record<PathStepName, string[]> = {
  take: ['in_review', 'validated', 'tested', 'applied'],
  validate: ['validated', 'tested', 'applied'],
  test: ['tested', 'applied'],
  apply: ['applied'],
};

export function tamPath(status: string, gate: ApplyGate | null): PathStep[] {
  const closed = probeClosedReason(status);
  const probe = (step: PathStepName): PathStep => {
    if (canProbeStatus(status)) return { step, state: REACHED[step].includes(status) ? 'done' : 'possible', reason: null };
    if (REACHED[step].includes(status)) return { step, state: 'done', reason: null };
    return { step, state: 'blocked', reason: `probe.closed.${closed}` };
  };
  const steps: PathStep[] = [
    REACHED.take.includes(status)
      ? { step: 'take', state: 'done', reason: null }
      : (TRANSITIONS.in_review.from as string[]).includes(status)
        ? { step: 'take', state: 'possible', reason: null }
        : { step: 'take', state: 'blocked', reason: 'probe.closed.finished' },
    probe('validate'),
    probe('test'),
    status === 'applied'
      ? { step: 'apply', state: 'done', reason: null }
      : gate?.ok
        ? { step: 'apply', state: 'possible', reason: null }
        : {
            step: 'apply',
            state: 'blocked',
            reason: gate ? `pipeline.apply.blocked.${gate.reason}` : closed === 'finished' ? 'probe.closed.finished' : 'pipeline.apply.blocked.NOT_TESTED',
          },
  ];
  // Everything reached but apply refused (a later check failed, the domain fails): testing again is next.
  const next = steps.find((s) => s.state === 'possible') ?? (canProbeStatus(status) && status !== 'applied' ? steps.find((s) => s.step === 'test') : undefined);
  if (next) next.state = 'next';
  return steps;
}
