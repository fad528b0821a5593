import 'server-only';
import { dkimVerify } from 'mailauth/lib/dkim/verify';
import { dmarc } from 'mailauth/lib/dmarc';
import { spf } from 'mailauth/lib/spf';
import { mailauthResolver, resolveRecords } from '../dns/resolver';
import { providerFor, type SendingProvider } from './domain-providers';
import type { DomainFinding, DomainFindingCode, DomainCheckName, FindingResult } from './domain-types';

// The `domain` step: will receivers (Gmail, Yahoo, Outlook.com) accept mail from the no-reply domain
// through this server? SPF, DKIM and DMARC are evaluated by mailauth through the app's one resolver;
// this file only decides what each answer means for the customer and which record to add.

export type DomainCheckInput = {
  noReplyAddress: string;
  /** The SMTP host: it names the sending service (Microsoft 365, Google, SES …) or a self-hosted server. */
  host: string;
  /** The addresses the probe reached: for a self-hosted server, the ones SPF must authorize. */
  serverAddresses: string[];
  /** After a test-send, the message as the recipient's server stored it (the sandbox): its DKIM signature is verified. */
  deliveredMessage?: string | Buffer | null;
};

/** TEST-NET-1 (RFC 5737): never a real sender, so SPF walks the whole record and counts every lookup. */
const UNLISTED_IP = '192.0.2.1';

type Finder = (
  check: DomainCheckName,
  result: FindingResult,
  code: DomainFindingCode,
  detail: string,
  record: string | null,
  params?: Record<string, string | number>,
) => DomainFinding;

const finding: Finder = (check, result, code, detail, record, params = {}) => ({ check, result, detail, record, code, params });

function isAbsent(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException)?.code;
  return code === 'ENOTFOUND' || code === 'ENODATA';
}

async function txtRecords(name: string): Promise<string[]> {
  try {
    return (await resolveRecords(name, 'TXT')).map((parts) => parts.join(''));
  } catch (error) {
    if (isAbsent(error)) return [];
    throw error;
  }
}

/** The include and redirect targets reachable from a record, to see whether a provider's include is in it. */
async function spfIncludes(domain: string, seen = new Set<string>()): Promise<Set<string>> {
  if (seen.size >= 10 || seen.has(domain)) return seen;
  seen.add(domain);
  const record = (await txtRecords(domain).catch(() => [])).find((r) => /^v=spf1(\s|$)/i.test(r));
  const targets = [...(record ?? '').matchAll(/(?:^|\s)(?:[+?~-]?include:|redirect=)(\S+)/gi)].map((m) => m[1]!.toLowerCase().replace(/\.$/, ''));
  for (const target of targets) await spfIncludes(target, seen);
  return seen;
}

function spfRecordFor(domain: string, provider: SendingProvider, addresses: string[], existing: string | null): string {
  const terms = provider.spfInclude ? [`include:${provider.spfInclude}`] : addresses.map((a) => (a.includes(':') ? `ip6:${a}` : `ip4:${a}`));
  if (existing) {
    const body = existing.replace(/^v=spf1\s*/i, '');
    const all = /(\s|^)([+?~-]?all)\s*$/i.exec(body);
    const kept = all ? body.slice(0, all.index).trim() : body.trim();
    return `${domain}. TXT "v=spf1 ${[kept, ...terms].filter(Boolean).join(' ')} ${all?.[2] ?? '~all'}"`;
  }
  return `${domain}. TXT "v=spf1 ${terms.join(' ')} -all"`;
}

type SpfOutcome = { finding: DomainFinding; authorized: boolean };

function spfAuthorized(domain: string, provider: SendingProvider, who: string): SpfOutcome {
  return { authorized: true, finding: finding('spf', 'pass', 'SPF_AUTHORIZED', `SPF of ${domain} authorizes ${provider.name} (${who})`, null, { domain, sender: who }) };
}

async function checkSpf(domain: string, input: DomainCheckInput, provider: SendingProvider): Promise<SpfOutcome> {
  const records = (await txtRecords(domain)).filter((r) => /^v=spf1(\s|$)/i.test(r));
  const suggested = spfRecordFor(domain, provider, input.serverAddresses, records[0] ?? null);
  if (records.length === 0) {
    return { authorized: false, finding: finding('spf', 'warn', 'SPF_MISSING', `${domain} publishes no SPF record`, suggested, { domain }) };
  }
  const evaluate = (ip: string) => spf({ sender: input.noReplyAddress, ip, helo: domain, mta: 'relaydesk', resolver: mailauthResolver as never });
  // A self-hosted server whose every address passes is authorized, as receivers will find: one walk.
  // Otherwise (or for a provider, whose include is looked for in the record) the record is walked from
  // an address it never lists, so every lookup is counted and a broken record is told apart.
  if (!provider.spfInclude && input.serverAddresses.length > 0) {
    const results = await Promise.all(input.serverAddresses.map(async (ip) => (await evaluate(ip)).status.result));
    if (results.every((r) => r === 'pass')) return spfAuthorized(domain, provider, input.serverAddresses.join(', '));
  }
  const whole = await evaluate(UNLISTED_IP);
  const comment = String(whole.status.comment ?? '');
  if (whole.status.result === 'temperror') throw Object.assign(new Error(`SPF: ${comment}`), { code: 'ETIMEOUT' });
  if (whole.status.result === 'permerror') {
    const tooMany = /too many dns/i.test(comment);
    return {
      authorized: false,
      finding: tooMany
        ? finding('spf', 'warn', 'SPF_TOO_MANY_LOOKUPS', `The SPF record of ${domain} needs more than 10 DNS lookups: receivers treat it as broken (permerror)`, null, {
            domain,
            record: records[0]!,
          })
        : finding('spf', 'warn', 'SPF_INVALID', `The SPF record of ${domain} does not parse: ${comment}`, suggested, { domain, record: records.join(' | '), reason: comment }),
    };
  }
  const authorized = provider.spfInclude ? (await spfIncludes(domain)).has(provider.spfInclude) : false;
  const who = provider.spfInclude ? `include:${provider.spfInclude}` : input.serverAddresses.join(', ');
  return authorized
    ? spfAuthorized(domain, provider, who)
    : {
        authorized,
        finding: finding('spf', 'warn', 'SPF_NOT_AUTHORIZED', `SPF of ${domain} does not authorize ${provider.name} (${who})`, suggested, {
          domain,
          sender: who,
          record: records[0]!,
        }),
      };
}

async function selectorPublished(name: string): Promise<boolean> {
  // The key itself (TXT v=DKIM1 / p=), or a CNAME to the provider (Microsoft, SendGrid, SES). The TXT
  // query follows a CNAME, so it answers both when the provider publishes the key; NXDOMAIN means no
  // record of any type. Only a name that exists without a key is asked for its CNAME (one that points at
  // a provider which has not published the key yet): most selectors tried do not exist, so a cold
  // validation asks one query per selector instead of two.
  let txt: string[];
  try {
    txt = (await resolveRecords(name, 'TXT')).map((parts) => parts.join(''));
  } catch (error) {
    if ((error as NodeJS.ErrnoException)?.code === 'ENOTFOUND') return false;
    if (!isAbsent(error)) throw error;
    txt = [];
  }
  if (txt.some((r) => /(^|;)\s*(v=DKIM1|p=)/i.test(r))) return true;
  try {
    return (await resolveRecords(name, 'CNAME')).length > 0;
  } catch (error) {
    if (isAbsent(error)) return false;
    throw error;
  }
}

type DkimOutcome = { finding: DomainFinding; alignable: boolean; signedDomain?: string };

/** The selectors published at the domain: a provider's all at once; guesses (a self-hosted server) until one is found. */
async function publishedSelectors(domain: string, provider: SendingProvider): Promise<string[]> {
  const ask = async (selectors: string[]) => {
    const published = await Promise.all(selectors.map((selector) => selectorPublished(`${selector}._domainkey.${domain}`)));
    return selectors.filter((_, i) => published[i]);
  };
  if (!provider.selectorsAreGuesses) return ask(provider.dkimSelectors);
  // One answer is all a guess needs: the most common selector first, the others only when it is absent.
  const [first, ...others] = provider.dkimSelectors;
  const found = first ? await ask([first]) : [];
  return found.length > 0 ? found : ask(others);
}

async function checkDkimSelectors(domain: string, provider: SendingProvider): Promise<DkimOutcome> {
  const found = await publishedSelectors(domain, provider);
  const record = provider.dkimRecord(domain);
  if (found.length > 0) {
    return {
      alignable: true,
      finding: finding('dkim', 'pass', 'DKIM_PUBLISHED', `DKIM selector ${found.join(', ')} is published at ${domain}`, null, { domain, selectors: found.join(', ') }),
    };
  }
  if (provider.id === 'self-hosted' || provider.id === 'ses') {
    return {
      alignable: false,
      finding: finding(
        'dkim',
        'warn',
        'DKIM_SELECTOR_UNKNOWN',
        `No usual DKIM selector (${provider.dkimSelectors.join(', ') || 'SES tokens'}) is published at ${domain}; a test email shows the real one`,
        record,
        { domain },
      ),
    };
  }
  return {
    alignable: false,
    finding: finding('dkim', 'warn', 'DKIM_MISSING', `${provider.name} signs with ${provider.dkimSelectors.join(', ')}, not published at ${domain}`, record, {
      domain,
      selectors: provider.dkimSelectors.join(', '),
      provider: provider.name,
    }),
  };
}

/** The signature the test email actually carried, as the recipient's server received it. */
async function checkDeliveredDkim(domain: string, message: string | Buffer, provider: SendingProvider): Promise<DkimOutcome> {
  const verified = await dkimVerify(typeof message === 'string' ? Buffer.from(message) : message, { resolver: mailauthResolver as never });
  const signatures = verified.results.filter((r) => r.signingDomain);
  if (signatures.length === 0) {
    return { alignable: false, finding: finding('dkim', 'warn', 'DKIM_UNSIGNED', 'The test email arrived without a DKIM signature', provider.dkimRecord(domain), { domain }) };
  }
  const passing = signatures.filter((r) => r.status.result === 'pass');
  // mailauth judges relaxed alignment with the From header (the no-reply address) on the public suffix list.
  const aligned = passing.find((r) => Boolean(r.status.aligned));
  if (aligned) {
    return {
      alignable: true,
      signedDomain: aligned.signingDomain,
      finding: finding(
        'dkim',
        'pass',
        'DKIM_VERIFIED',
        `The test email's DKIM signature (d=${aligned.signingDomain}, s=${aligned.selector ?? '?'}) verified and is aligned with ${domain}`,
        null,
        { domain, signer: aligned.signingDomain, selector: aligned.selector ?? '' },
      ),
    };
  }
  if (passing.length > 0) {
    const signer = passing[0]!.signingDomain;
    return {
      alignable: false,
      finding: finding('dkim', 'warn', 'DKIM_NOT_ALIGNED', `The test email was signed by d=${signer}, not by ${domain}: DMARC cannot use it`, provider.dkimRecord(domain), {
        domain,
        signer,
      }),
    };
  }
  const first = signatures[0]!;
  const reason = String(first.status.comment ?? first.status.result);
  return {
    alignable: false,
    finding: finding('dkim', 'warn', 'DKIM_SIGNATURE_FAILED', `The test email's DKIM signature (d=${first.signingDomain}) did not verify: ${reason}`, provider.dkimRecord(domain), {
      domain,
      signer: first.signingDomain,
      reason,
    }),
  };
}

async function checkDmarc(domain: string, spfAligns: boolean, dkimAligns: boolean): Promise<DomainFinding> {
  const result = await dmarc({
    headerFrom: `postmaster@${domain}`,
    spfDomains: spfAligns ? [domain] : [],
    dkimDomains: dkimAligns ? [{ domain }] : [],
    resolver: mailauthResolver as never,
  });
  const suggested = `_dmarc.${domain}. TXT "v=DMARC1; p=none; rua=mailto:dmarc-reports@${domain}"`;
  if (!result || result.status.result === 'none') {
    return finding('dmarc', 'warn', 'DMARC_MISSING', `No DMARC record at _dmarc.${domain} or its organizational domain`, suggested, { domain });
  }
  if (result.status.result === 'temperror') throw Object.assign(new Error('DMARC lookup failed'), { code: 'ETIMEOUT' });
  const policy = String(result.policy || result.p || 'none').toLowerCase();
  const via = [spfAligns ? 'SPF' : '', dkimAligns ? 'DKIM' : ''].filter(Boolean).join(' + ');
  const params = { domain, policy, record: String((result as { rr?: string }).rr ?? '') };
  if (result.status.result === 'pass') return finding('dmarc', 'pass', 'DMARC_ALIGNED', `DMARC p=${policy}; ${via} can align with ${domain}`, null, { ...params, via });
  if (policy === 'reject') {
    return finding(
      'dmarc',
      'fail',
      'DMARC_REJECT_NO_ALIGNMENT',
      `DMARC p=reject and neither SPF nor DKIM can align with ${domain}: receivers will refuse these notifications`,
      null,
      params,
    );
  }
  return finding('dmarc', 'warn', 'DMARC_NO_ALIGNMENT', `DMARC p=${policy} and neither SPF nor DKIM can align with ${domain}`, null, params);
}

async function checkMx(domain: string): Promise<DomainFinding> {
  const suggested = `${domain}. MX 10 <a mail server that accepts, and may discard, mail for ${domain}>.`;
  let records: { exchange: string; priority: number }[];
  try {
    records = await resolveRecords(domain, 'MX');
  } catch (error) {
    if (!isAbsent(error)) throw error;
    records = [];
  }
  if (records.length === 0)
    return finding('mx', 'warn', 'MX_MISSING', `${domain} has no MX: bounces have nowhere to go and some receivers refuse such senders`, suggested, { domain });
  if (records.every((r) => r.exchange === '' || r.exchange === '.')) {
    return finding('mx', 'warn', 'MX_NULL', `${domain} publishes a null MX (RFC 7505): it receives no mail, and receivers may refuse it as a sender`, suggested, { domain });
  }
  const hosts = [...records]
    .sort((a, b) => a.priority - b.priority)
    .map((r) => r.exchange)
    .join(', ');
  return finding('mx', 'pass', 'MX_PRESENT', `${domain} receives mail at ${hosts}`, null, { domain, hosts });
}

/** Never throws: a DNS failure of one check is a warning about that check. */
async function guarded(check: DomainCheckName, domain: string, work: () => Promise<DomainFinding>): Promise<DomainFinding> {
  try {
    return await work();
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException)?.code ?? (error instanceof Error ? error.message : String(error));
    return finding(check, 'warn', 'DNS_UNAVAILABLE', `The ${check.toUpperCase()} lookup for ${domain} failed (${reason}); checked again next time`, null, {
      domain,
      check: check.toUpperCase(),
      reason,
    });
  }
}

function domainOf(address: string): string {
  return address
    .slice(address.lastIndexOf('@') + 1)
    .toLowerCase()
    .replace(/\.$/, '');
}

export async function checkSendingDomain(input: DomainCheckInput): Promise<DomainFinding[]> {
  const domain = domainOf(input.noReplyAddress);
  const provider = providerFor(input.host);
  let spfAligns = false;
  let dkimAligns = false;
  // DMARC needs the SPF and DKIM outcomes, but not to fetch its record: ask now, the cache answers it later.
  txtRecords(`_dmarc.${domain}`).catch(() => []);
  const [spfFinding, dkimFinding, mxFinding] = await Promise.all([
    guarded('spf', domain, async () => {
      const outcome = await checkSpf(domain, input, provider);
      spfAligns = outcome.authorized && provider.envelopeIsCustomerDomain;
      return outcome.finding;
    }),
    guarded('dkim', domain, async () => {
      const outcome = input.deliveredMessage ? await checkDeliveredDkim(domain, input.deliveredMessage, provider) : await checkDkimSelectors(domain, provider);
      dkimAligns = outcome.alignable;
      return outcome.finding;
    }),
    guarded('mx', domain, () => checkMx(domain)),
  ]);
  const dmarcFinding = await guarded('dmarc', domain, () => checkDmarc(domain, spfAligns, dkimAligns));
  return [spfFinding, dkimFinding, dmarcFinding, mxFinding];
}
