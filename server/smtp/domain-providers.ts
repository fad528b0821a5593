import 'server-only';
// The sending services we recognise from the SMTP host: what their SPF include is and which DKIM
// selectors they publish at the customer's domain. Anything else is a self-hosted server.

export type SendingProvider = {
  id: 'microsoft' | 'google' | 'ses' | 'sendgrid' | 'mailgun' | 'self-hosted';
  name: string;
  /** The SPF include that authorizes the service; null for a self-hosted server (its addresses do). */
  spfInclude: string | null;
  /** Selectors to look for at <selector>._domainkey.<domain>, with the record to add when none is found. */
  dkimSelectors: string[];
  /** The selectors are usual names, not the service's own (a self-hosted server): any one published is the answer. */
  selectorsAreGuesses?: boolean;
  dkimRecord: (domain: string) => string;
  /** Whether the envelope sender is the customer's domain by default (SPF can align under DMARC). */
  envelopeIsCustomerDomain: boolean;
};

const PROVIDERS: { match: RegExp; provider: SendingProvider }[] = [
  {
    match: /(^|\.)(office365\.com|outlook\.com|protection\.outlook\.com)$/,
    provider: {
      id: 'microsoft',
      name: 'Microsoft 365',
      spfInclude: 'spf.protection.outlook.com',
      dkimSelectors: ['selector1', 'selector2'],
      dkimRecord: (domain) =>
        [1, 2].map((n) => `selector${n}._domainkey.${domain}. CNAME selector${n}-${domain.replace(/\./g, '-')}._domainkey.<tenant>.onmicrosoft.com.`).join('\n'),
      envelopeIsCustomerDomain: true,
    },
  },
  {
    match: /(^|\.)(gmail\.com|googlemail\.com|google\.com)$/,
    provider: {
      id: 'google',
      name: 'Google Workspace',
      spfInclude: '_spf.google.com',
      dkimSelectors: ['google'],
      dkimRecord: (domain) => `google._domainkey.${domain}. TXT "v=DKIM1; k=rsa; p=<the key from Admin console › Apps › Gmail › Authenticate email>"`,
      envelopeIsCustomerDomain: true,
    },
  },
  {
    match: /(^|\.)amazonaws\.com$/,
    provider: {
      id: 'ses',
      name: 'Amazon SES',
      spfInclude: 'amazonses.com',
      // Easy DKIM publishes three random tokens; we cannot guess them, so any of the usual names counts.
      dkimSelectors: [],
      dkimRecord: (domain) => `<token>._domainkey.${domain}. CNAME <token>.dkim.amazonses.com.   (three records, from the SES console › Verified identities)`,
      envelopeIsCustomerDomain: false,
    },
  },
  {
    match: /(^|\.)sendgrid\.net$/,
    provider: {
      id: 'sendgrid',
      name: 'SendGrid',
      spfInclude: 'sendgrid.net',
      dkimSelectors: ['s1', 's2'],
      dkimRecord: (domain) => [1, 2].map((n) => `s${n}._domainkey.${domain}. CNAME s${n}.domainkey.<account>.wl.sendgrid.net.`).join('\n'),
      envelopeIsCustomerDomain: false,
    },
  },
  {
    match: /(^|\.)mailgun\.org$/,
    provider: {
      id: 'mailgun',
      name: 'Mailgun',
      spfInclude: 'mailgun.org',
      dkimSelectors: ['k1', 'mx', 'smtp', 'pic'],
      dkimRecord: (domain) => `k1._domainkey.${domain}. TXT "k=rsa; p=<the key from Mailgun › Sending › Domain settings>"`,
      envelopeIsCustomerDomain: false,
    },
  },
];

/**
 * The usual selectors of self-hosted signers, most common first: OpenDKIM and hosting panels (default),
 * rspamd (dkim), and the common hand-made one (mail). Only a guess before the test email, whose signature
 * names the real selector; the providers' own conventions (selector1, s1, smtp…) are asked of their hosts.
 */
const SELF_HOSTED_SELECTORS = ['default', 'dkim', 'mail'];

export function providerFor(host: string): SendingProvider {
  const name = host.toLowerCase().replace(/\.$/, '');
  const known = PROVIDERS.find((p) => p.match.test(name));
  if (known) return known.provider;
  return {
    id: 'self-hosted',
    name: name,
    spfInclude: null,
    dkimSelectors: SELF_HOSTED_SELECTORS,
    selectorsAreGuesses: true,
    dkimRecord: (domain) => `<selector>._domainkey.${domain}. TXT "v=DKIM1; k=rsa; p=<your server's DKIM public key>"`,
    envelopeIsCustomerDomain: true,
  };
}
