// Probe configuration for tests: the test name resolves to loopback through an injected lookup,
// and loopback is allow-listed, exactly as an operator would allow a sandbox.
import assert from 'node:assert/strict';
import { runProbe, type ProbeOptions } from '../../server/smtp/probe';
import { DIAGNOSIS_PARAMS, type ProbeResult, type ProbeStep, type SmtpConfig } from '../../server/smtp/types';
import { OTHER_HOST, TEST_HOST, testCerts } from './smtp-certs';
import { TEST_USER } from './smtp-test-server';

export const NO_REPLY = 'noreply@corp.relaydesk.test';
export const RECIPIENT = 'admin@customer.relaydesk.test';

export function configFor(port: number, overrides: Partial<SmtpConfig> = {}): SmtpConfig {
  return {
    host: TEST_HOST,
    port,
    encryption: 'starttls',
    authMethod: 'auto',
    username: TEST_USER.username,
    password: TEST_USER.password,
    heloDomain: '',
    noReplyAddress: NO_REPLY,
    noReplyName: 'Relaydesk Notifications',
    testRecipient: RECIPIENT,
    ...overrides,
  };
}

export const lookupToLoopback: NonNullable<ProbeOptions['lookup']> = async (host) => {
  if (host === TEST_HOST || host === OTHER_HOST) return [{ address: '127.0.0.1', family: 4 }];
  throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
};

/** Runs the probe as the app would, and checks the invariants every result must keep. */
export async function probe(config: SmtpConfig, overrides: Partial<ProbeOptions> = {}): Promise<ProbeResult> {
  const { ca } = await testCerts();
  const result = await runProbe(config, {
    kind: 'validate',
    allowedHosts: ['127.0.0.1'],
    allowedPorts: [config.port],
    lookup: lookupToLoopback,
    trustedCa: [ca],
    timeoutMs: 3000,
    stepTimeoutMs: 1500,
    ...overrides,
  });
  assert.equal(
    result.ok,
    result.steps.every((s) => s.ok),
  );
  for (const step of result.steps.filter((s) => !s.ok)) {
    assert.ok(step.hint, `failed step ${step.step} has no diagnosis`);
    for (const key of DIAGNOSIS_PARAMS[step.hint.code]) assert.ok(key in step.hint.params, `${step.hint.code} lacks ${key}`);
  }
  assert.ok(result.steps.filter((s) => !s.ok).length <= 1, 'the run stops at the first failure');
  return result;
}

/** The step the run stopped at (the last one), asserting there is one. */
export function lastStep(result: ProbeResult): ProbeStep {
  const step = result.steps.at(-1);
  if (!step) throw new Error('no steps');
  return step;
}

export function stepNames(result: ProbeResult): string[] {
  return result.steps.map((s) => s.step);
}
