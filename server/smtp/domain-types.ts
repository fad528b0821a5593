// Findings of the `domain` step (PRODUCT.md "probe run"). Types only, so lib/ and the UI can import them.

export type DomainCheckName = 'spf' | 'dkim' | 'dmarc' | 'mx';
export type FindingResult = 'pass' | 'warn' | 'fail';

/** Every code is a key of messages/<locale>.json "domainFindings", with the finding's params. */
export const DOMAIN_FINDING_CODES = [
  'SPF_AUTHORIZED',
  'SPF_MISSING',
  'SPF_INVALID',
  'SPF_TOO_MANY_LOOKUPS',
  'SPF_NOT_AUTHORIZED',
  'DKIM_PUBLISHED',
  'DKIM_MISSING',
  'DKIM_SELECTOR_UNKNOWN',
  'DKIM_VERIFIED',
  'DKIM_NOT_ALIGNED',
  'DKIM_SIGNATURE_FAILED',
  'DKIM_UNSIGNED',
  'DMARC_ALIGNED',
  'DMARC_MISSING',
  'DMARC_NO_ALIGNMENT',
  'DMARC_REJECT_NO_ALIGNMENT',
  'MX_PRESENT',
  'MX_MISSING',
  'MX_NULL',
  'DNS_UNAVAILABLE',
] as const;
export type DomainFindingCode = (typeof DOMAIN_FINDING_CODES)[number];

export type DomainFinding = {
  check: DomainCheckName;
  result: FindingResult;
  /** What we saw, in English, for the transcript reader and the API. */
  detail: string;
  /** The exact DNS record to add or change (zone-file form, copyable), or null when nothing is to be done. */
  record: string | null;
  /** For the translated explanation: t(`domainFindings.${code}`, params). */
  code: DomainFindingCode;
  params: Record<string, string | number>;
};
