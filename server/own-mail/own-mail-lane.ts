import 'server-only';
// Relaydesk's own mail, sent by the notification worker beside the tenants' lanes (docs/decisions/022):
// the same claim-under-lease, backoff with jitter, failure classification and maximum lifetime as the
// pipeline, one pooled transport to RELAYDESK_SMTP_URL. The worker calls claim() in its loop, renew() with
// its own leases and stop() when it drains.
import tls from 'node:tls';
import nodemailer, { type Transporter } from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool/index.js';
import { logError } from '../log';
import { retryDelay, type BackoffPolicy } from '../pipeline/backoff';
import { classifyFailure } from '../pipeline/classify-failure';
import { credentialForms, storedReply } from '../pipeline/stored-reply';
import type { Timeouts } from '../pipeline/tenant-transports';
import { probeSettings } from '../probes/probe-settings';
import { composeOwnMail } from './compose-own-mail';
import { ownMailConfig, type OwnMailConfig } from './own-mail-config';
import { claimOwnMail, markOwnMailDead, markOwnMailSent, releaseOwnMail, renewOwnMailLeases, retryOwnMail, type ClaimedOwnMail } from './own-mail-leases';

export type OwnMailLaneOptions = { leaseMs: number; backoff: BackoffPolicy; maxLifetimeMs: number; timeouts: Timeouts };

/** At most this many own mails in flight per worker: a handful of people per event, never a bulk send. */
const MAX_HELD = 20;

export class OwnMailLane {
  private config: OwnMailConfig | null | undefined;
  private transport: Transporter<SMTPPool.SentMessageInfo> | null = null;
  private secrets: string[] = [];
  private readonly held = new Set<string>();
  private readonly sending = new Set<Promise<void>>();
  private stopped = false;

  constructor(
    private readonly owner: string,
    private readonly options: OwnMailLaneOptions,
  ) {}

  get busy(): boolean {
    return this.held.size > 0 || this.sending.size > 0;
  }

  /** Claims what is due (nothing when own mail is not configured) and starts sending it. */
  async claim(): Promise<number> {
    if (this.stopped || !this.configured()) return 0;
    const rows = await claimOwnMail(this.owner, this.options.leaseMs, MAX_HELD - this.held.size);
    for (const row of rows) {
      this.held.add(row.id);
      const sending = this.send(row).finally(() => {
        this.held.delete(row.id);
        this.sending.delete(sending);
      });
      this.sending.add(sending);
    }
    return rows.length;
  }

  async renew(): Promise<void> {
    await renewOwnMailLeases(this.owner, [...this.held], this.options.leaseMs);
  }

  /** Lets sends in flight finish for up to graceMs, then gives back what is left (sent again later, same Message-ID). */
  async stop(graceMs: number): Promise<void> {
    this.stopped = true;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled([...this.sending]), new Promise((r) => (timer = setTimeout(r, graceMs)))]);
    clearTimeout(timer);
    await releaseOwnMail(this.owner, [...this.held]).catch((error: unknown) => logError('could not release own mail', error));
    this.transport?.close();
    this.transport = null;
  }

  private configured(): boolean {
    if (this.config === undefined) {
      try {
        this.config = ownMailConfig();
      } catch (error) {
        logError('RELAYDESK_SMTP_URL is not usable; Relaydesk sends no mail of its own', error);
        this.config = null;
      }
      if (this.config) this.secrets = credentialForms({ username: this.config.server.username ?? '', password: this.config.server.password });
    }
    return this.config !== null;
  }

  private transportFor(config: OwnMailConfig): Transporter<SMTPPool.SentMessageInfo> {
    if (this.transport) return this.transport;
    const { server } = config;
    const trustedCa = probeSettings().trustedCa;
    this.transport = nodemailer.createTransport({
      pool: true,
      maxConnections: 2,
      maxMessages: 100,
      host: server.host,
      port: server.port,
      secure: server.tls === 'implicit',
      requireTLS: server.tls === 'starttls',
      ignoreTLS: server.tls === 'none',
      ...(server.username ? { auth: { user: server.username, pass: server.password ?? '' } } : {}),
      tls: { servername: server.host, ...(trustedCa.length ? { ca: [...tls.rootCertificates, ...trustedCa] } : {}) },
      connectionTimeout: this.options.timeouts.connectionMs,
      greetingTimeout: this.options.timeouts.greetingMs,
      socketTimeout: this.options.timeouts.socketMs,
      logger: false,
      debug: false,
    } satisfies SMTPPool.Options);
    return this.transport;
  }

  private async send(row: ClaimedOwnMail): Promise<void> {
    const config = this.config!;
    try {
      const info = await this.transportFor(config).sendMail(composeOwnMail(row, config));
      await markOwnMailSent(this.owner, row.id, storedReply(info.response || '250', this.secrets));
    } catch (error) {
      await this.failed(row, error).catch((e: unknown) => logError('recording a failed own mail failed', e));
    }
  }

  private async failed(row: ClaimedOwnMail, error: unknown): Promise<void> {
    // Given back by stop(): not an attempt.
    if (this.stopped) return;
    const failure = classifyFailure(error);
    const reply = storedReply(failure.reply, this.secrets);
    // Our own server refusing our credentials is the operator's to fix: retried, never dropped (no tenant to pause).
    const age = Date.now() - row.createdAt.getTime();
    if (failure.kind === 'pause') {
      this.transport?.close();
      this.transport = null;
    }
    if (failure.kind === 'permanent' || age > this.options.maxLifetimeMs) {
      await markOwnMailDead(this.owner, row.id, reply);
      logError(`own mail ${row.messageId} (${row.kind}) is a dead letter`, new Error(reply));
      return;
    }
    await retryOwnMail(this.owner, row.id, reply, new Date(Date.now() + retryDelay(row.attempts + 1, this.options.backoff)));
  }
}
