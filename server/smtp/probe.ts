import 'server-only';
import type net from 'node:net';
import tls from 'node:tls';
import { chooseMechanism, exchangeAuth } from './auth-mechanism';
import { describeCapabilities, parseCapabilities, type Capabilities } from './capabilities';
import { checkDestination, type CheckedDestination, type LookupFn } from './destination-guard';
import { checkSendingDomain } from './domain-check';
import { diagnose, diagnoseReply, modeMismatch, verdict, type Verdict } from './diagnose';
import { DiagnosedFailure, IoFailure, ReplyFailure, type SmtpReply } from './probe-errors';
import { redactAuthCommand, redactSecrets, secretForms } from './redact';
import { openSocket, SmtpClient, within } from './smtp-client';
import { requestAccessToken } from '../oauth/request-access-token';
import { oauthSecrets, withSecrets } from '../oauth/oauth-secrets';
import { TokenFailure } from '../oauth/token-failure';
import { exchangeXOAuth2 } from '../oauth/xoauth2';
import { PROBE_REPLY_KEEP_LINES, RUN_TRANSCRIPT_BUDGET_BYTES, shortenReply, TRANSCRIPT_LINE_KEEP_CHARS } from './text-budget';
import { buildTestMessage, type TestMessage, type TestMessageLocale } from './test-message';
import { describeTls, verifyPeer } from './tls-inspect';
import type { DomainFinding } from './domain-types';
import type { Diagnosis, ProbeKind, ProbeResult, ProbeStep, SmtpConfig, StepName, TlsInfo, TranscriptLine } from './types';

export type ProbeOptions = {
  kind: ProbeKind;
  /** Recipient override (test-send to the TAM's own address); defaults to config.testRecipient. */
  to?: string;
  signal?: AbortSignal;
  /** Whole run. */
  timeoutMs?: number;
  /** Each wait for the server (connect, one reply, the handshake). */
  stepTimeoutMs?: number;
  /** Called as each step completes, so the console can show steps live. */
  onStep?: (step: ProbeStep) => void;
  allowedHosts: string[];
  allowedPorts: number[];
  lookup?: LookupFn;
  /** Already resolved and checked by the caller (the rate limit keys on it): the DNS step reuses it. */
  destination?: CheckedDestination;
  /** Extra PEM roots trusted on top of the system ones (the demo sandbox's CA). */
  trustedCa?: string[];
  /** EHLO name when the config has no HELO domain; default: our address literal, as RFC 5321 4.1.4 allows. */
  clientName?: string;
  locale?: TestMessageLocale;
  /**
   * The sending-domain checks (the `domain` step) after the SMTP steps passed. They never change `ok`,
   * which stays the SMTP verdict (docs/decisions/021). deliveredMessage: after a test-send, the message
   * as the recipient's server stored it (the sandbox), so the DKIM signature it carried is verified.
   */
  domainCheck?: { deliveredMessage?: (messageId: string) => Promise<string | Buffer | null> };
};

/** warning: a diagnosis shown on a step that passed (something the customer should change anyway). */
type Outcome<T> = { value: T; reply?: SmtpReply | string; detail: string; warning?: Verdict };

/** Thrown after a failed step has been recorded: the run stops there. */
class StopProbe extends Error {}

/** Walks one SMTP conversation step by step; never throws for a server's misbehaviour. */
export async function runProbe(config: SmtpConfig, options: ProbeOptions): Promise<ProbeResult> {
  return new ProbeRun(config, options).run();
}

// Building a context with the ~150 system roots costs tens of milliseconds; the extra roots are
// configuration (the sandbox CA), so one context per distinct set is reused across runs.
const trustedContexts = new Map<string, tls.SecureContext>();

function trustedContext(extra: string[] | undefined): tls.SecureContext | undefined {
  if (!extra?.length) return undefined;
  const key = extra.join('\n');
  let context = trustedContexts.get(key);
  if (!context) {
    context = tls.createSecureContext({ ca: [...tls.rootCertificates, ...extra] });
    if (trustedContexts.size >= 16) trustedContexts.clear();
    trustedContexts.set(key, context);
  }
  return context;
}

/** How long a greeting may take before we ask a second connection whether the port speaks TLS. */
const GREETING_PATIENCE_MS = 3000;
/** The second connection's whole TLS attempt (connect and handshake). */
const TLS_QUESTION_MS = 3000;
/** Domains of the relay check's recipient (RFC 2606: reserved, nothing is ever delivered there). */
const RELAY_CHECK_DOMAINS = ['example.com', 'example.net', 'example.org'];
const DECISIVE_RELAY_REFUSALS = new Set(['RELAY_DENIED', 'AUTH_REQUIRED', 'CLIENT_REJECTED', 'HELO_REJECTED', 'SENDER_NOT_OWNED', 'TLS_REQUIRED']);

/** The check address of the relay step: outside the no-reply domain and the test recipient's domain. */
export function relayCheckAddress(noReplyAddress: string, recipient: string): string {
  const own = [noReplyAddress, recipient].map((a) => a.slice(a.lastIndexOf('@') + 1).toLowerCase());
  const domain = RELAY_CHECK_DOMAINS.find((d) => !own.some((o) => o === d || o.endsWith(`.${d}`))) ?? RELAY_CHECK_DOMAINS[0]!;
  return `relaydesk-relay-check@${domain}`;
}

class ProbeRun {
  private readonly started = performance.now();
  private readonly startedAt = new Date().toISOString();
  private readonly deadline: number;
  private readonly stepTimeoutMs: number;
  private secrets: string[];
  private accessToken = '';
  private readonly recipient: string;
  private readonly relayAddress: string;
  private readonly transcript: TranscriptLine[] = [];
  private transcriptBytes = 0;
  private transcriptFull = false;
  private readonly steps: ProbeStep[] = [];
  private client: SmtpClient | null = null;
  private tlsInfo: TlsInfo | undefined;
  private caps: Capabilities | null = null;
  private finalReply: string | undefined;
  private destination: CheckedDestination | undefined;
  private domainEarly: Promise<Settled<DomainFinding[]>> | undefined;
  /** Commands written ahead of their turn (the pipelined envelope) whose replies are still to be read. */
  private ahead: string[] = [];

  constructor(
    private readonly config: SmtpConfig,
    private readonly options: ProbeOptions,
  ) {
    const timeoutMs = options.timeoutMs ?? 30_000;
    this.deadline = this.started + timeoutMs;
    this.stepTimeoutMs = Math.min(options.stepTimeoutMs ?? 30_000, timeoutMs);
    this.secrets = withSecrets(secretForms(config.username, config.password), oauthSecrets(config.oauth));
    this.recipient = options.to ?? config.testRecipient;
    this.relayAddress = relayCheckAddress(config.noReplyAddress, this.recipient);
  }

  private elapsed(): number {
    return Math.round(performance.now() - this.started);
  }

  /** Time left for the next wait: the per-step limit, never past the overall deadline. */
  private budget(): number {
    return Math.max(0, Math.min(this.stepTimeoutMs, Math.floor(this.deadline - performance.now())));
  }

  /** Everything recorded passes through here: the raw secret never enters the transcript. */
  private clean(text: string): string {
    return redactSecrets(text.replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '?'), this.secrets);
  }

  /**
   * A reply as a step keeps it: redacted, and shortened in the middle when it is too long. The client
   * already kept only the head and tail lines of a long reply (with its marker); this bounds characters.
   */
  private cleanReply(text: string): string {
    return this.clean(shortenReply(text, Number.MAX_SAFE_INTEGER));
  }

  // The transcript is stored, shown and exported: it keeps at most RUN_TRANSCRIPT_BUDGET_BYTES of
  // what the server said; our own notes ('*') are few and always kept, so the end of the story is there.
  private readonly record = (dir: TranscriptLine['dir'], text: string) => {
    const clean = this.clean(shortenReply(dir === 'C' ? redactAuthCommand(text) : text, Number.MAX_SAFE_INTEGER, TRANSCRIPT_LINE_KEEP_CHARS));
    if (dir !== '*') {
      if (this.transcriptFull) return;
      this.transcriptBytes += clean.length + 32;
      if (this.transcriptBytes > RUN_TRANSCRIPT_BUDGET_BYTES) {
        this.transcriptFull = true;
        this.transcript.push({
          at: this.elapsed(),
          dir: '*',
          text: `Transcript budget of ${RUN_TRANSCRIPT_BUDGET_BYTES.toLocaleString('en-US')} bytes spent; later lines omitted`,
        });
        return;
      }
    }
    this.transcript.push({ at: this.elapsed(), dir, text: clean });
  };

  private cleanHint(hint: Diagnosis | null): Diagnosis | null {
    if (!hint) return null;
    const params = Object.fromEntries(Object.entries(hint.params).map(([key, value]) => [key, typeof value === 'string' ? this.clean(value) : value]));
    return { code: hint.code, params };
  }

  private push(step: ProbeStep) {
    this.steps.push(step);
    try {
      this.options.onStep?.(step);
    } catch {
      // A listener that fails (a closed stream) must not change the outcome of the probe.
    }
  }

  private async step<T>(name: StepName, work: () => Promise<Outcome<T>>): Promise<T> {
    const begun = performance.now();
    const ms = () => Math.round(performance.now() - begun);
    try {
      const { value, reply, detail, warning } = await work();
      const replyText = typeof reply === 'string' ? reply : (reply?.raw ?? '');
      this.push({
        step: name,
        ok: true,
        ms: ms(),
        reply: this.cleanReply(replyText),
        detail: this.clean(detail),
        hint: this.cleanHint(warning?.hint ?? null),
        field: warning?.field ?? null,
      });
      return value;
    } catch (error) {
      const { hint, field } = diagnose(error, this.diagnoseContext(name));
      const detail = this.clean(shortenReply(error instanceof Error ? error.message : String(error), PROBE_REPLY_KEEP_LINES));
      this.record('*', `${name} failed: ${detail}`);
      const reply = error instanceof ReplyFailure ? this.cleanReply(error.reply.raw) : '';
      this.push({ step: name, ok: false, ms: ms(), reply, detail, hint: this.cleanHint(hint), field });
      throw new StopProbe(name);
    }
  }

  private diagnoseContext(step: StepName) {
    return {
      step,
      config: this.config,
      recipient: step === 'relay' ? this.relayAddress : this.recipient,
      authOffered: (this.caps?.authMechanisms.length ?? 0) > 0,
      authConfigured: this.wantsAuth(),
    };
  }

  private get smtp(): SmtpClient {
    if (!this.client) throw new Error('not connected');
    return this.client;
  }

  async run(): Promise<ProbeResult> {
    const { config, options } = this;
    let ok = false;
    let message: TestMessage | undefined;
    try {
      if (config.authMethod === 'oauth2') this.accessToken = await this.step('token', () => this.obtainToken());
      const destination = await this.step('dns', () => this.resolve());
      const socket = await this.step('connect', () => this.connect(destination));
      // Work that needs no server starts while this one prepares its greeting (started earlier, it would
      // delay the first packets): the test email, whose SIZE MAIL FROM declares and whose bytes DATA sends,
      // and the domain checks, which need only DNS and run while the conversation does (reported after it).
      const composing = buildTestMessage(config, this.recipient, { locale: options.locale });
      composing.catch(() => {}); // awaited in the mail step; a run that stops earlier never needs it
      if (options.domainCheck) this.domainEarly = settle(this.checkDomain(null));
      this.client = new SmtpClient(socket, this.record);
      if (config.encryption === 'tls') await this.step('tls', () => this.handshake(destination));
      await this.step('greeting', () => this.greeting(destination));
      await this.step('ehlo', () => this.ehlo());
      // The pipeline never sends AUTH in clear text to a server that offers STARTTLS: neither do we.
      const upgrade = config.encryption === 'none' && this.wantsAuth() && this.caps?.starttls === true;
      if (config.encryption === 'starttls' || upgrade) {
        if (upgrade) this.record('*', 'Encryption is "none" but the server offers STARTTLS: upgrading before AUTH, as the pipeline does');
        await this.step('starttls', () => this.startTls(upgrade ? verdict('PLAINTEXT_AUTH_UPGRADED', 'encryption', { port: config.port }) : undefined));
        await this.step('tls', () => this.handshake(destination));
        await this.step('ehlo', () => this.ehlo());
      }
      if (this.wantsAuth()) await this.step('auth', () => this.authenticate());
      else this.record('*', 'AUTH skipped: the configuration has no authentication');
      await this.step('mail', async () => this.mailFrom((message = await composing)));
      await this.step('rcpt', () => this.rcptTo());
      if (options.kind === 'validate') await this.step('relay', () => this.relayCheck());
      if (options.kind === 'test-send') await this.step('data', () => this.data(message!));
      await this.step('quit', () => this.quit());
      ok = true;
      if (options.domainCheck) await this.domainStep(message);
    } catch (error) {
      if (!(error instanceof StopProbe)) throw error;
      await this.quitQuietly(error.message as StepName);
    } finally {
      this.client?.close();
    }
    return {
      ok,
      kind: options.kind,
      startedAt: this.startedAt,
      durationMs: this.elapsed(),
      steps: this.steps,
      transcript: this.transcript,
      ...(this.tlsInfo ? { tls: this.tlsInfo } : {}),
      ...(this.caps ? { capabilities: this.caps.lines.map((line) => this.clean(line)) } : {}),
      ...(options.kind === 'test-send' && message ? { messageId: message.messageId } : {}),
      ...(this.finalReply ? { finalReply: this.clean(this.finalReply) } : {}),
    };
  }

  /** The no-reply domain's SPF, DKIM, DMARC and MX; the step fails only on a finding that is `fail`. */
  private async domainStep(message: TestMessage | undefined): Promise<void> {
    const begun = performance.now();
    const { signal, domainCheck } = this.options;
    const work = async () => {
      const delivered = this.options.kind === 'test-send' && message && domainCheck?.deliveredMessage ? await domainCheck.deliveredMessage(message.messageId) : null;
      if (!delivered && this.domainEarly) {
        const early = await this.domainEarly;
        if (early.ok) return early.value;
      }
      return this.checkDomain(delivered);
    };
    let findings: DomainFinding[];
    try {
      findings = await within(work(), Math.max(this.budget(), 5_000), signal, 'DNS');
    } catch (error) {
      findings = [
        {
          check: 'spf',
          result: 'warn',
          code: 'DNS_UNAVAILABLE',
          detail: `The domain checks did not finish: ${error instanceof Error ? error.message : String(error)}`,
          record: null,
          params: { domain: this.config.noReplyAddress.split('@').pop() ?? '', check: 'DNS', reason: 'timeout' },
        },
      ];
    }
    const counts = (['pass', 'warn', 'fail'] as const).map((r) => `${findings.filter((f) => f.result === r).length} ${r}`).join(', ');
    for (const f of findings) this.record('*', `${f.check.toUpperCase()} ${f.result}: ${f.detail}`);
    this.push({
      step: 'domain',
      ok: !findings.some((f) => f.result === 'fail'),
      ms: Math.round(performance.now() - begun),
      reply: '',
      detail: this.clean(`Sending domain ${this.config.noReplyAddress.split('@').pop()}: ${counts}`),
      hint: null,
      field: null,
      findings: findings.map((f) => ({ ...f, detail: this.clean(f.detail) })),
    });
  }

  private checkDomain(deliveredMessage: string | Buffer | null): Promise<DomainFinding[]> {
    return checkSendingDomain({ noReplyAddress: this.config.noReplyAddress, host: this.config.host, serverAddresses: this.destination?.addresses ?? [], deliveredMessage });
  }

  private async resolve(): Promise<Outcome<CheckedDestination>> {
    const { host, port } = this.config;
    const { allowedHosts, allowedPorts, lookup, signal } = this.options;
    const destination = this.options.destination ?? (await within(checkDestination(host, port, { allowedHosts, allowedPorts, lookup }), this.budget(), signal, 'DNS'));
    const detail = destination.servername ? `${host} resolves to ${destination.addresses.join(', ')}` : `${host} is an address (${destination.address})`;
    this.record('*', detail);
    this.destination = destination;
    return { value: destination, detail };
  }

  private async connect({ address, family }: CheckedDestination): Promise<Outcome<net.Socket>> {
    const shown = family === 6 ? `[${address}]:${this.config.port}` : `${address}:${this.config.port}`;
    this.record('*', `Connecting to ${shown}`);
    const socket = await openSocket(address, this.config.port, this.budget(), this.options.signal);
    const detail = `Connected to ${shown}`;
    this.record('*', detail);
    return { value: socket, detail };
  }

  private async handshake({ servername, address }: CheckedDestination): Promise<Outcome<null>> {
    const secureContext = trustedContext(this.options.trustedCa);
    // rejectUnauthorized: false keeps the certificate visible for the diagnosis; verifyPeer decides.
    // Node's own name check is switched off because it would check "localhost" when there is no SNI
    // name (an IP was typed); verifyPeer checks the name the user typed instead. Node hands that check
    // the chain it has just read from the handshake: we keep it rather than have it converted again.
    let chain: tls.DetailedPeerCertificate | undefined;
    const socket = await this.smtp.startTls(
      {
        ...(servername ? { servername } : {}),
        rejectUnauthorized: false,
        checkServerIdentity: (_name, cert) => {
          chain = cert as tls.DetailedPeerCertificate;
          return undefined;
        },
        ...(secureContext ? { secureContext } : {}),
      },
      this.budget(),
      this.options.signal,
    );
    const info = describeTls(socket, chain);
    this.tlsInfo = info;
    const leaf = info.certificates[0];
    const detail = `${info.protocol} ${info.cipher}; certificate ${leaf?.subject ?? '?'} (${leaf?.subjectAltNames.join(', ') ?? ''}), issued by ${leaf?.issuer ?? '?'}, valid until ${leaf?.validTo ?? '?'}`;
    this.record('*', detail);
    const peer = verifyPeer(socket, info, servername, address);
    if (!peer.ok) throw new DiagnosedFailure({ hint: peer.diagnosis, field: peer.field }, `Certificate rejected: ${peer.reason}`);
    return { value: null, detail };
  }

  private async greeting(destination: CheckedDestination): Promise<Outcome<null>> {
    const reply = await this.readGreeting(destination);
    if (reply.code !== 220) throw new ReplyFailure(reply);
    return { value: null, reply, detail: 'Server greeted' };
  }

  /**
   * A port that expects TLS from the first byte waits silently for a ClientHello, just like a slow or
   * hung server. After a short wait a second connection asks the port in TLS: a completed handshake
   * (or a TLS alert) names the encryption setting within seconds, on any port; meanwhile the first
   * connection keeps waiting, so a server that is merely slow to greet still passes.
   */
  private async readGreeting(destination: CheckedDestination): Promise<SmtpReply> {
    const { signal } = this.options;
    if (this.smtp.secure) return this.smtp.readReply(this.budget(), signal);
    const patience = Math.min(GREETING_PATIENCE_MS, this.budget());
    try {
      return await this.smtp.readReply(patience, signal);
    } catch (error) {
      if (!(error instanceof IoFailure) || error.kind !== 'timeout' || this.smtp.heardFrom) throw error;
    }
    this.record('*', `No greeting within ${patience} ms; asking the port in TLS on a second connection`);
    const speaksTls = this.portSpeaksTls(destination);
    const rest = settle(this.smtp.readReply(Math.max(0, Math.min(this.stepTimeoutMs - patience, this.budget())), signal));
    const answered = speaksTls.then((yes): Promise<Settled<SmtpReply> | 'tls'> | 'tls' => (yes ? 'tls' : rest));
    const first = await Promise.race([rest, answered]);
    const mismatch = () => {
      this.record('*', 'The second connection completed a TLS handshake: this port expects TLS from the first byte');
      return new DiagnosedFailure(modeMismatch(this.config), 'No greeting: the port speaks TLS from the first byte');
    };
    if (first === 'tls') throw mismatch();
    if (first.ok) return first.value;
    if (!(first.error instanceof IoFailure) || first.error.kind !== 'timeout') throw first.error;
    if (await speaksTls) throw mismatch();
    this.record('*', 'The second connection got no TLS answer either');
    throw new DiagnosedFailure(verdict('NO_GREETING', 'port', { port: this.config.port }), first.error.message);
  }

  /** Whether the port answers a TLS ClientHello (handshake or alert) on a fresh connection to the checked address. */
  private async portSpeaksTls({ address, servername }: CheckedDestination): Promise<boolean> {
    const ms = Math.min(TLS_QUESTION_MS, this.budget());
    if (ms <= 0) return false;
    const until = performance.now() + ms;
    let plain: net.Socket;
    try {
      plain = await openSocket(address, this.config.port, ms, this.options.signal);
    } catch {
      return false;
    }
    return new Promise<boolean>((resolve) => {
      const secure = tls.connect({ socket: plain, rejectUnauthorized: false, ...(servername ? { servername } : {}) });
      const signal = this.options.signal;
      const done = (yes: boolean) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        secure.destroy();
        plain.destroy();
        resolve(yes);
      };
      const onAbort = () => done(false);
      const timer = setTimeout(() => done(false), Math.max(0, until - performance.now()));
      signal?.addEventListener('abort', onAbort, { once: true });
      secure.once('secureConnect', () => done(true));
      // An alert is TLS too (no shared cipher, a client certificate required); "wrong version number" is not.
      secure.once('error', (error: NodeJS.ErrnoException) => done(/alert/i.test(`${error.code ?? ''} ${error.message}`)));
      secure.once('close', () => done(false));
    });
  }

  private heloName(): string {
    if (this.config.heloDomain) return this.config.heloDomain;
    if (this.options.clientName) return this.options.clientName;
    const local = this.client?.localAddress ?? '127.0.0.1';
    const plain = local.replace(/^::ffff:/, '');
    return plain.includes(':') ? `[IPv6:${plain}]` : `[${plain}]`;
  }

  private async ehlo(): Promise<Outcome<null>> {
    const name = this.heloName();
    const reply = await this.smtp.command(`EHLO ${name}`, this.budget(), this.options.signal);
    if (reply.code >= 500) {
      // RFC 5321 4.1.4: a server without extensions answers EHLO with 5xx; HELO still works.
      const helo = await this.smtp.command(`HELO ${name}`, this.budget(), this.options.signal);
      if (helo.code !== 250) throw new ReplyFailure(helo);
      this.caps = parseCapabilities(null);
      return { value: null, reply: helo, detail: 'EHLO refused, HELO accepted: the server offers no extensions' };
    }
    if (reply.code !== 250) throw new ReplyFailure(reply);
    this.caps = parseCapabilities(reply);
    return { value: null, reply, detail: describeCapabilities(this.caps, this.smtp.secure) };
  }

  private async startTls(warning?: Verdict): Promise<Outcome<null>> {
    if (!this.caps?.starttls) {
      throw new DiagnosedFailure(
        verdict('STARTTLS_NOT_OFFERED', 'encryption', { port: this.config.port }),
        'The server does not offer STARTTLS; refusing to continue in plain text',
      );
    }
    const reply = await this.smtp.command('STARTTLS', this.budget(), this.options.signal);
    if (reply.code !== 220) throw new ReplyFailure(reply);
    return { value: null, reply, detail: 'Server ready for TLS', ...(warning ? { warning } : {}) };
  }

  private wantsAuth(): boolean {
    const { authMethod, username, password } = this.config;
    if (authMethod === 'none') return false;
    return authMethod !== 'auto' || Boolean(username || password);
  }

  /** OAuth: the identity provider's access token, fetched through the destination guard. */
  private async obtainToken(): Promise<Outcome<string>> {
    const settings = this.config.oauth;
    if (!settings) throw new TokenFailure('OAUTH_CREDENTIAL_INVALID', 'oauthProvider', { reason: 'no OAuth settings' }, 'OAuth is chosen but no provider is set', false);
    const { allowedHosts, allowedPorts, lookup, trustedCa, signal } = this.options;
    const outcome = await requestAccessToken(settings, {
      allowedHosts,
      allowedPorts,
      ...(lookup ? { lookup } : {}),
      ...(trustedCa ? { trustedCa } : {}),
      ...(signal ? { signal } : {}),
      timeoutMs: this.budget(),
      record: (text) => this.record('*', text),
    });
    this.secrets = withSecrets(this.secrets, outcome.secrets);
    return { value: outcome.token.value, detail: outcome.detail };
  }

  private async authenticate(): Promise<Outcome<null>> {
    const { username, password, authMethod } = this.config;
    const offered = this.caps?.authMechanisms ?? [];
    const secure = this.smtp.secure;
    if (offered.length === 0) {
      if (!secure && this.caps?.starttls) {
        throw new DiagnosedFailure(verdict('AUTH_ONLY_AFTER_TLS', 'encryption', { port: this.config.port }), 'AUTH is offered only after STARTTLS');
      }
      throw new DiagnosedFailure(verdict('AUTH_NOT_OFFERED', 'authMethod', { port: this.config.port }), 'The server does not offer AUTH');
    }
    if (authMethod === 'oauth2') {
      if (!offered.includes('XOAUTH2')) {
        throw new DiagnosedFailure(
          verdict('AUTH_METHOD_NOT_OFFERED', 'authMethod', { method: 'XOAUTH2', offered: offered.join(' ') }),
          `The server offers ${offered.join(' ')}, not XOAUTH2`,
        );
      }
      const reply = await exchangeXOAuth2(
        this.smtp,
        username,
        this.accessToken,
        () => this.budget(),
        this.options.signal,
        (text) => this.record('*', text),
      );
      if (reply.code !== 235) throw new ReplyFailure(reply);
      return { value: null, reply, detail: `Authenticated with XOAUTH2 as ${username}` };
    }
    const mechanism = chooseMechanism(authMethod, offered, secure);
    if (!mechanism) {
      throw new DiagnosedFailure(
        verdict('AUTH_METHOD_NOT_OFFERED', 'authMethod', { method: authMethod, offered: offered.join(' ') }),
        `The server offers ${offered.join(' ')}, not ${authMethod.toUpperCase()}`,
      );
    }
    // Without TLS, PLAIN and LOGIN put the password on the wire readable (CRAM-MD5 does not): only with
    // the customer's explicit acknowledgement, recorded on the request.
    const readable = !secure && mechanism !== 'CRAM-MD5';
    if (readable && !this.config.plaintextAuthAcknowledged) {
      throw new DiagnosedFailure(
        verdict('PLAINTEXT_AUTH_UNACKNOWLEDGED', 'plaintextAuthAcknowledged', { port: this.config.port }),
        `The server offers no TLS: AUTH ${mechanism} would send the password readable; not sent without the customer's acknowledgement`,
      );
    }
    const reply = await exchangeAuth(this.smtp, mechanism, { username, password }, () => this.budget(), this.options.signal);
    if (reply.code !== 235) throw new ReplyFailure(reply);
    const why = authMethod === 'auto' ? ` (best offered of ${offered.join(' ')})` : '';
    const warning = readable ? verdict('PLAINTEXT_AUTH_ACKNOWLEDGED', null, { port: this.config.port }) : undefined;
    return { value: null, reply, detail: `Authenticated with ${mechanism}${why}${readable ? ' without TLS (acknowledged)' : ''}`, ...(warning ? { warning } : {}) };
  }

  /**
   * A command's reply. A command that went ahead in the envelope's pipelined write is only read: a server
   * that offers PIPELINING (RFC 2920) answers the whole envelope in one round trip, in order.
   */
  private ask(line: string): Promise<SmtpReply> {
    if (this.ahead[0] === line) {
      this.ahead.shift();
      return this.smtp.readReply(this.budget(), this.options.signal);
    }
    return this.smtp.command(line, this.budget(), this.options.signal);
  }

  private async mailFrom(message: TestMessage): Promise<Outcome<null>> {
    const size = this.caps?.size != null ? ` SIZE=${message.raw.length}` : '';
    const mail = `MAIL FROM:<${this.config.noReplyAddress}>${size}`;
    if (this.caps?.pipelining) {
      // The envelope in one write: MAIL and RCPT and, when validating (nothing is sent), the relay check's
      // RCPT, RSET and QUIT, which RFC 2920 allows last in a group.
      const envelope = [mail, `RCPT TO:<${this.recipient}>`, ...(this.options.kind === 'validate' ? [`RCPT TO:<${this.relayAddress}>`, 'RSET', 'QUIT'] : [])];
      this.record('*', 'The server offers PIPELINING: the envelope is sent in one write, each reply read in turn');
      this.smtp.sendAll(envelope);
      this.ahead = envelope;
    }
    const reply = await this.ask(mail);
    if (reply.code !== 250) throw new ReplyFailure(reply);
    return { value: null, reply, detail: `Sender ${this.config.noReplyAddress} accepted` };
  }

  private async rcptTo(): Promise<Outcome<null>> {
    const reply = await this.ask(`RCPT TO:<${this.recipient}>`);
    if (reply.code !== 250 && reply.code !== 251 && reply.code !== 252) throw new ReplyFailure(reply);
    return { value: null, reply, detail: `Recipient ${this.recipient} accepted` };
  }

  /**
   * A server without AUTH often relays only for internal domains: a test recipient inside passes while
   * every notification to an outside address would be refused. One RCPT to a reserved outside address,
   * then RSET: nothing is ever sent (validation never reaches DATA).
   */
  private async relayCheck(): Promise<Outcome<null>> {
    const address = this.relayAddress;
    const reply = await this.ask(`RCPT TO:<${address}>`);
    let outcome: Outcome<null>;
    if (reply.code === 250 || reply.code === 251 || reply.code === 252) {
      outcome = { value: null, reply, detail: `The server accepts outside recipients (${address}) from Relaydesk` };
    } else {
      const { hint } = diagnoseReply(reply, { ...this.diagnoseContext('relay'), step: 'relay' });
      if (hint && DECISIVE_RELAY_REFUSALS.has(hint.code)) throw new ReplyFailure(reply);
      outcome = {
        value: null,
        reply,
        detail: `The outside check address ${address} was refused for another reason; relaying could not be confirmed`,
        warning: verdict('RELAY_UNCONFIRMED', null, { reply: reply.raw.split('\n')[0] ?? '', address }),
      };
    }
    // Only courtesy: the transaction ends with QUIT anyway, and nothing was ever sent.
    await this.ask('RSET').catch((error: unknown) => {
      if (error instanceof IoFailure && error.kind === 'aborted') throw error;
    });
    return outcome;
  }

  private async data(message: TestMessage): Promise<Outcome<null>> {
    const start = await this.smtp.command('DATA', this.budget(), this.options.signal);
    if (start.code !== 354) throw new ReplyFailure(start);
    const reply = await this.smtp.sendMessage(message.raw, this.budget(), this.options.signal);
    if (reply.code !== 250) throw new ReplyFailure(reply);
    this.finalReply = reply.raw;
    return { value: null, reply, detail: `Message ${message.messageId} accepted (${message.raw.length} bytes)` };
  }

  private async quit(): Promise<Outcome<null>> {
    try {
      const reply = await this.ask('QUIT');
      return { value: null, reply, detail: 'Closed' };
    } catch (error) {
      // Everything that mattered has been answered; a server that hangs up without 221 is fine.
      if (error instanceof IoFailure && error.kind !== 'aborted') return { value: null, detail: `Closed (${error.message})` };
      throw error;
    }
  }

  /** After a failure, leave politely (not mid-DATA, where QUIT would become message text). */
  private async quitQuietly(failedStep: StepName): Promise<void> {
    const client = this.client;
    if (!client?.open || failedStep === 'data' || failedStep === 'quit' || this.options.signal?.aborted) return;
    if (!this.steps.some((s) => s.step === 'greeting' && s.ok)) return;
    const ms = Math.min(300, this.budget());
    if (ms <= 0) return;
    try {
      // Replies still owed to commands that went ahead come first (QUIT may be one of them).
      const owed = this.ahead.splice(0);
      for (const _ of owed) await client.readReply(ms, this.options.signal);
      if (!owed.includes('QUIT')) await client.command('QUIT', ms, this.options.signal);
    } catch {
      // Leaving anyway.
    }
  }
}

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** A promise that never rejects, so one left behind in a race is never an unhandled rejection. */
function settle<T>(promise: Promise<T>): Promise<Settled<T>> {
  return promise.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
}
