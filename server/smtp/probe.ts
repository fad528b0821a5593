import 'server-only';
import type net from 'node:net';
import tls from 'node:tls';
import { chooseMechanism, exchangeAuth } from './auth-mechanism';
import { describeCapabilities, parseCapabilities, type Capabilities } from './capabilities';
import { checkDestination, type CheckedDestination, type LookupFn } from './destination-guard';
import { diagnose, modeMismatch, verdict } from './diagnose';
import { DiagnosedFailure, IoFailure, ReplyFailure, type SmtpReply } from './probe-errors';
import { redactAuthCommand, redactSecrets, secretForms } from './redact';
import { openSocket, SmtpClient, within } from './smtp-client';
import { requestAccessToken } from '../oauth/request-access-token';
import { oauthSecrets, withSecrets } from '../oauth/oauth-secrets';
import { TokenFailure } from '../oauth/token-failure';
import { exchangeXOAuth2 } from '../oauth/xoauth2';
import { buildTestMessage, type TestMessage, type TestMessageLocale } from './test-message';
import { describeTls, verifyPeer } from './tls-inspect';
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
  /** Extra PEM roots trusted on top of the system ones (the demo sandbox's CA). */
  trustedCa?: string[];
  /** EHLO name when the config has no HELO domain; default: our address literal, as RFC 5321 4.1.4 allows. */
  clientName?: string;
  locale?: TestMessageLocale;
};

type Outcome<T> = { value: T; reply?: SmtpReply | string; detail: string };

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

/** How long we wait for an answer to the EHLO we send to a silent server (see explainSilence). */
const NUDGE_MS = 1000;

class ProbeRun {
  private readonly started = performance.now();
  private readonly startedAt = new Date().toISOString();
  private readonly deadline: number;
  private readonly stepTimeoutMs: number;
  private secrets: string[];
  private accessToken = '';
  private readonly recipient: string;
  private readonly transcript: TranscriptLine[] = [];
  private readonly steps: ProbeStep[] = [];
  private client: SmtpClient | null = null;
  private tlsInfo: TlsInfo | undefined;
  private caps: Capabilities | null = null;
  private finalReply: string | undefined;

  constructor(
    private readonly config: SmtpConfig,
    private readonly options: ProbeOptions,
  ) {
    const timeoutMs = options.timeoutMs ?? 30_000;
    this.deadline = this.started + timeoutMs;
    this.stepTimeoutMs = Math.min(options.stepTimeoutMs ?? 30_000, timeoutMs);
    this.secrets = withSecrets(secretForms(config.username, config.password), oauthSecrets(config.oauth));
    this.recipient = options.to ?? config.testRecipient;
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

  private readonly record = (dir: TranscriptLine['dir'], text: string) => {
    this.transcript.push({ at: this.elapsed(), dir, text: this.clean(dir === 'C' ? redactAuthCommand(text) : text) });
  };

  private cleanHint(hint: Diagnosis | null): Diagnosis | null {
    if (!hint) return null;
    const params = Object.fromEntries(
      Object.entries(hint.params).map(([key, value]) => [key, typeof value === 'string' ? this.clean(value) : value]),
    );
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
      const { value, reply, detail } = await work();
      const replyText = typeof reply === 'string' ? reply : (reply?.raw ?? '');
      this.push({ step: name, ok: true, ms: ms(), reply: this.clean(replyText), detail: this.clean(detail), hint: null, field: null });
      return value;
    } catch (error) {
      const { hint, field } = diagnose(error, { step: name, config: this.config, recipient: this.recipient });
      const detail = this.clean(error instanceof Error ? error.message : String(error));
      this.record('*', `${name} failed: ${detail}`);
      const reply = error instanceof ReplyFailure ? this.clean(error.reply.raw) : '';
      this.push({ step: name, ok: false, ms: ms(), reply, detail, hint: this.cleanHint(hint), field });
      throw new StopProbe(name);
    }
  }

  private get smtp(): SmtpClient {
    if (!this.client) throw new Error('not connected');
    return this.client;
  }

  async run(): Promise<ProbeResult> {
    const { config, options } = this;
    let ok = false;
    let message: TestMessage | undefined;
    // Composed while the network steps wait on the server; MAIL FROM needs its SIZE, DATA its bytes.
    const composing = buildTestMessage(config, this.recipient, { locale: options.locale });
    composing.catch(() => {}); // awaited in the mail step; a run that stops earlier never needs it
    try {
      if (config.authMethod === 'oauth2') this.accessToken = await this.step('token', () => this.obtainToken());
      const destination = await this.step('dns', () => this.resolve());
      const socket = await this.step('connect', () => this.connect(destination));
      this.client = new SmtpClient(socket, this.record);
      if (config.encryption === 'tls') await this.step('tls', () => this.handshake(destination));
      await this.step('greeting', () => this.greeting());
      await this.step('ehlo', () => this.ehlo());
      if (config.encryption === 'starttls') {
        await this.step('starttls', () => this.startTls());
        await this.step('tls', () => this.handshake(destination));
        await this.step('ehlo', () => this.ehlo());
      }
      if (this.wantsAuth()) await this.step('auth', () => this.authenticate());
      else this.record('*', 'AUTH skipped: the configuration has no authentication');
      await this.step('mail', async () => this.mailFrom((message = await composing)));
      await this.step('rcpt', () => this.rcptTo());
      if (options.kind === 'test-send') await this.step('data', () => this.data(message!));
      await this.step('quit', () => this.quit());
      ok = true;
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

  private async resolve(): Promise<Outcome<CheckedDestination>> {
    const { host, port } = this.config;
    const { allowedHosts, allowedPorts, lookup, signal } = this.options;
    const destination = await within(checkDestination(host, port, { allowedHosts, allowedPorts, lookup }), this.budget(), signal, 'DNS');
    const detail = destination.servername
      ? `${host} resolves to ${destination.addresses.join(', ')}`
      : `${host} is an address (${destination.address})`;
    this.record('*', detail);
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

  private async greeting(): Promise<Outcome<null>> {
    let reply: SmtpReply;
    try {
      reply = await this.smtp.readReply(this.budget(), this.options.signal);
    } catch (error) {
      if (error instanceof IoFailure && error.kind === 'timeout' && !this.smtp.secure) throw await this.explainSilence(error);
      throw error;
    }
    if (reply.code !== 220) throw new ReplyFailure(reply);
    return { value: null, reply, detail: 'Server greeted' };
  }

  /**
   * A port that expects TLS from the first byte waits silently for a ClientHello, just like a hung
   * server. Sending a command tells them apart: a TLS port hangs up (or answers with a TLS alert).
   */
  private async explainSilence(timeout: IoFailure): Promise<Error> {
    const mismatch = new DiagnosedFailure(modeMismatch(this.config), 'No greeting: the port seems to expect TLS from the start');
    const silent = new DiagnosedFailure(verdict('NO_GREETING', 'port', { port: this.config.port }), timeout.message);
    const ms = Math.min(NUDGE_MS, this.stepTimeoutMs, Math.floor(this.deadline - performance.now()));
    if (ms <= 0) return this.config.port === 465 ? mismatch : silent;
    this.record('*', 'No greeting yet; sending EHLO to learn whether this port expects TLS from the start');
    try {
      this.smtp.send(`EHLO ${this.heloName()}`);
      await this.smtp.readReply(ms, this.options.signal);
      return silent;
    } catch (error) {
      if (!(error instanceof IoFailure)) return silent;
      if (error.kind === 'aborted') return error;
      if (error.kind === 'closed' || error.kind === 'tls-data' || error.kind === 'socket') return mismatch;
      return this.config.port === 465 ? mismatch : silent;
    }
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

  private async startTls(): Promise<Outcome<null>> {
    if (!this.caps?.starttls) {
      throw new DiagnosedFailure(
        verdict('STARTTLS_NOT_OFFERED', 'encryption', { port: this.config.port }),
        'The server does not offer STARTTLS; refusing to continue in plain text',
      );
    }
    const reply = await this.smtp.command('STARTTLS', this.budget(), this.options.signal);
    if (reply.code !== 220) throw new ReplyFailure(reply);
    return { value: null, reply, detail: 'Server ready for TLS' };
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
      const reply = await exchangeXOAuth2(this.smtp, username, this.accessToken, () => this.budget(), this.options.signal, (text) => this.record('*', text));
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
    const reply = await exchangeAuth(this.smtp, mechanism, { username, password }, () => this.budget(), this.options.signal);
    if (reply.code !== 235) throw new ReplyFailure(reply);
    const why = authMethod === 'auto' ? ` (best offered of ${offered.join(' ')})` : '';
    return { value: null, reply, detail: `Authenticated with ${mechanism}${why}` };
  }

  private async mailFrom(message: TestMessage): Promise<Outcome<null>> {
    const size = this.caps?.size != null ? ` SIZE=${message.raw.length}` : '';
    const reply = await this.smtp.command(`MAIL FROM:<${this.config.noReplyAddress}>${size}`, this.budget(), this.options.signal);
    if (reply.code !== 250) throw new ReplyFailure(reply);
    return { value: null, reply, detail: `Sender ${this.config.noReplyAddress} accepted` };
  }

  private async rcptTo(): Promise<Outcome<null>> {
    const reply = await this.smtp.command(`RCPT TO:<${this.recipient}>`, this.budget(), this.options.signal);
    if (reply.code !== 250 && reply.code !== 251 && reply.code !== 252) throw new ReplyFailure(reply);
    return { value: null, reply, detail: `Recipient ${this.recipient} accepted` };
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
      const reply = await this.smtp.command('QUIT', this.budget(), this.options.signal);
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
      await client.command('QUIT', ms, this.options.signal);
    } catch {
      // Leaving anyway.
    }
  }
}
