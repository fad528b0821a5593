import 'server-only';
import { verdict } from '../smtp/diagnose';
import { DiagnosedFailure } from '../smtp/probe-errors';
import type { ConfigField, DiagnosisCode } from '../smtp/types';

/**
 * A token that could not be obtained, already diagnosed. temporary: the identity provider was down, slow
 * or said "later" (the pipeline retries with backoff); otherwise the settings are wrong or consent is
 * missing (the pipeline pauses the tenant). providerCode keeps the provider's own code visible.
 */
export class TokenFailure extends DiagnosedFailure {
  constructor(
    code: DiagnosisCode,
    field: ConfigField | null,
    params: Record<string, string | number>,
    message: string,
    readonly temporary: boolean,
    readonly providerCode: string | null = null,
  ) {
    super(verdict(code, field, params), message);
    this.name = 'TokenFailure';
  }
}
