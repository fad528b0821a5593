import 'server-only';
// One live check as every caller runs it: the destination resolved once through the guard, the budgets
// spent (the caller's own, the tenant's, the destination's), the SMTP conversation with the secrets in
// clear for this run only, and a seal that redacts every form of those secrets from what is stored.
import { runProbe, type ProbeOptions } from '../smtp/probe';
import { redactSecrets, secretForms } from '../smtp/redact';
import { sandboxDeliveredMessage } from '../sandbox/delivered-message';
import type { ProbeResult } from '../smtp/types';
import type { SecretValues } from '@/lib/smtp-config-model';
import { secretFragments } from '../requests/secret-columns';
import type { ProbeConfig } from '../requests/probe-config';
import { probeSettings } from './probe-settings';
import { destinationBudgetKey, takeProbeBudget, type ProbeActorKey } from './rate-limit';

export type GuardedProbeOptions = Pick<ProbeOptions, 'kind' | 'to' | 'signal' | 'onStep' | 'locale'> & {
  /** Whose budget the run spends besides the tenant's and the destination's. */
  budget: ProbeActorKey & { tenant: string };
};

function isSandbox(host: string, port: number): boolean {
  return process.env.RELAYDESK_DEMO === '1' && ['localhost', '127.0.0.1', '::1'].includes(host) && String(port) === process.env.SANDBOX_PORT;
}

export async function guardedProbe(config: ProbeConfig, typed: SecretValues, options: GuardedProbeOptions): Promise<{ result: ProbeResult; seal: (value: unknown) => string }> {
  const settings = probeSettings();
  // Resolved once: the budget is keyed on the address, and the probe connects to exactly that address.
  const { key: destinationKey, destination } = await destinationBudgetKey(config.host, config.port, {
    allowedHosts: settings.allowedHosts,
    allowedPorts: settings.allowedPorts,
    timeoutMs: settings.timeoutMs,
    signal: options.signal,
  });
  await takeProbeBudget({ ...options.budget, destination: destinationKey });

  const result = await runProbe(config, {
    ...(destination ? { destination } : {}),
    kind: options.kind,
    to: options.to,
    signal: options.signal,
    onStep: options.onStep,
    allowedHosts: settings.allowedHosts,
    allowedPorts: settings.allowedPorts,
    trustedCa: settings.trustedCa,
    timeoutMs: settings.timeoutMs,
    locale: options.locale,
    // The sending domain (issue 15); only the sandbox lets us see the delivered message.
    domainCheck: { ...(isSandbox(config.host, config.port) ? { deliveredMessage: (messageId: string) => sandboxDeliveredMessage(messageId) } : {}) },
  });

  // The probe redacts as it records; this second pass guards what is stored against any path it missed.
  const fragments = secretFragments(typed);
  const secrets = [...new Set((fragments.length ? fragments : ['']).flatMap((secret) => secretForms(config.username, secret)))].sort((a, b) => b.length - a.length);
  return { result, seal: (value: unknown) => redactSecrets(JSON.stringify(value), secrets) };
}
