import 'server-only';
// One pooled nodemailer transport per tenant, version and limits. A newly applied version (or new limits)
// gets a new pool from the next message on; the old pool finishes what it has and is closed when idle.
// Each pool connects to the address the destination guard checked (resolved once per pool), with TLS
// verifying the configured name, exactly like the probes.
import type { EventEmitter } from 'node:events';
import net from 'node:net';
import tls from 'node:tls';
import nodemailer, { type Transporter } from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool/index.js';
import { db } from '../db';
import { decryptSecret } from '../crypto/secret-box';
import { configVersionBinding, versionSecretBinding } from '../config-versions/version-binding';
import { configContentOf, oauthSettingsOf } from '@/lib/smtp-config-model';
import { openSecrets } from '../requests/secret-columns';
import type { OAuthSettings } from '../oauth/oauth-settings';
import { checkDestination } from '../smtp/destination-guard';
import { probeSettings } from '../probes/probe-settings';
import { PipelineTokens } from '../oauth/pipeline-oauth';
import type { SendingConfig } from './compose-notification';
import { credentialForms } from './stored-reply';
import { oauthSecrets, withSecrets } from '../oauth/oauth-secrets';

export type VersionConfig = SendingConfig & {
  host: string;
  port: number;
  encryption: string;
  authMethod: string;
  username: string;
  password: string | null;
  heloDomain: string;
  plaintextAuthAcknowledged: boolean;
  /** Set when authMethod is oauth2 (decrypted like the password). */
  oauth: OAuthSettings | null;
  /** The forms of this version's credentials that no stored reply may contain. */
  secrets: string[];
};

export type Limits = { maxConnections: number; ratePerMinute: number | null };
export type Timeouts = { connectionMs: number; greetingMs: number; socketMs: number };
export const DEFAULT_TIMEOUTS: Timeouts = { connectionMs: 10_000, greetingMs: 10_000, socketMs: 30_000 };

type Entry = {
  key: string;
  tenantId: string;
  transport: Promise<Transporter<SMTPPool.SentMessageInfo>>;
  inFlight: number;
  lastUsed: number;
  /** When a send on this pool last settled (or the pool last went from idle to busy). */
  lastProgress: number;
  stallMs: number;
  /** Rejects the sends in flight when the watchdog recycles the pool. */
  aborts: Set<(error: Error) => void>;
};

/** A pool that made no progress for longer than its timeouts allow: its sends are failed, it is closed. */
export class StalledLaneError extends Error {
  readonly code = 'ESTALLED';
}

export type RecycledLane = { tenantId: string; key: string; stalledMs: number; inFlight: number };

/**
 * How long a pool with sends in flight may go without any of them settling. Each step of a healthy
 * conversation ends within the connection, greeting or socket timeout; six silent socket timeouts in a
 * row (EHLO, STARTTLS, AUTH, MAIL, RCPT, DATA) is the most a working pool can take, plus one rate-limit
 * window when the tenant has a rate. Beyond that nodemailer has lost track of the send (decision 011).
 */
export function stallAfterMs(timeouts: Timeouts, limits: Limits): number {
  return timeouts.connectionMs + timeouts.greetingMs + 6 * timeouts.socketMs + (limits.ratePerMinute ? 60_000 : 0);
}

const MECHANISMS: Record<string, string> = { plain: 'PLAIN', login: 'LOGIN', 'cram-md5': 'CRAM-MD5' };

export class TenantTransports {
  private versions = new Map<string, Promise<VersionConfig>>();
  private pools = new Map<string, Entry>();
  /** OAuth access tokens, one per tenant version (server/oauth/pipeline-oauth.ts). */
  readonly tokens = new PipelineTokens();

  constructor(
    private readonly timeouts: Timeouts = DEFAULT_TIMEOUTS,
    private readonly idleMs = 30_000,
  ) {}

  /** Versions are immutable, so their decrypted form is cached for the life of the worker. */
  config(tenantId: string, version: number): Promise<VersionConfig> {
    const key = `${tenantId}:${version}`;
    let found = this.versions.get(key);
    if (!found) {
      found = loadVersion(tenantId, version);
      found.catch(() => this.versions.delete(key));
      this.versions.set(key, found);
    }
    return found;
  }

  /** Runs one send on the pool of this version and limits; counts it in flight so the pool is not closed under it. */
  async send<T>(config: VersionConfig, limits: Limits, work: (transport: Transporter<SMTPPool.SentMessageInfo>) => Promise<T>): Promise<T> {
    const key = TenantTransports.keyOf(config.tenantId, config.version, limits);
    let entry = this.pools.get(key);
    if (!entry) {
      const transport = buildTransport(config, limits, this.timeouts, this.tokens);
      entry = {
        key,
        tenantId: config.tenantId,
        transport,
        inFlight: 0,
        lastUsed: Date.now(),
        lastProgress: Date.now(),
        stallMs: stallAfterMs(this.timeouts, limits),
        aborts: new Set(),
      };
      this.pools.set(key, entry);
      // A pool that could not be built (destination refused, DNS) is built again on the next message.
      transport.catch(() => this.pools.get(key) === entry && this.pools.delete(key));
    }
    const current = entry;
    if (current.inFlight === 0) current.lastProgress = Date.now();
    current.inFlight += 1;
    current.lastUsed = Date.now();
    let abort: (error: Error) => void = () => {};
    const aborted = new Promise<never>((_, reject) => (abort = reject));
    current.aborts.add(abort);
    const sending = current.transport.then((transport) =>
      config.authMethod === 'oauth2' && config.oauth ? this.tokens.send(`${config.tenantId}:${config.version}`, config.oauth, () => work(transport)) : work(transport),
    );
    // A send the watchdog gave up on may still settle later: nobody waits for it any more.
    sending.catch(() => {});
    try {
      return await Promise.race([sending, aborted]);
    } finally {
      current.aborts.delete(abort);
      current.inFlight -= 1;
      current.lastUsed = current.lastProgress = Date.now();
    }
  }

  /**
   * The watchdog: a pool with sends in flight and none settled for longer than its timeouts allow is
   * recycled. Its sends fail with StalledLaneError (retried like any temporary failure, same Message-ID),
   * the pool is closed, and the next message of the tenant opens a fresh one.
   */
  recycleStalled(now = Date.now()): RecycledLane[] {
    const recycled: RecycledLane[] = [];
    for (const entry of [...this.pools.values()]) {
      if (entry.inFlight === 0 || now - entry.lastProgress <= entry.stallMs) continue;
      const stalledMs = now - entry.lastProgress;
      recycled.push({ tenantId: entry.tenantId, key: entry.key, stalledMs, inFlight: entry.inFlight });
      this.pools.delete(entry.key);
      const error = new StalledLaneError(`No send settled for ${Math.round(stalledMs / 1000)} s: the connection pool was recycled`);
      for (const abort of entry.aborts) abort(error);
      entry.aborts.clear();
      entry.transport.then((t) => t.close()).catch(() => {});
    }
    return recycled;
  }

  /** Closes pools that are idle, or superseded (not the tenant's current key) and drained. */
  sweep(currentKeyOf: (tenantId: string) => string | null, now = Date.now()): void {
    for (const entry of this.pools.values()) {
      if (entry.inFlight > 0) continue;
      const superseded = currentKeyOf(entry.tenantId) !== entry.key;
      if (superseded || now - entry.lastUsed > this.idleMs) this.close(entry);
    }
  }

  /** Drops a tenant's pools (after an authentication failure: the next try opens fresh connections). */
  dropTenant(tenantId: string): void {
    for (const entry of this.pools.values()) if (entry.tenantId === tenantId && entry.inFlight === 0) this.close(entry);
  }

  closeAll(): void {
    for (const entry of this.pools.values()) this.close(entry);
  }

  static keyOf(tenantId: string, version: number, limits: Limits): string {
    return `${tenantId}:${version}:${limits.maxConnections}:${limits.ratePerMinute ?? '-'}`;
  }

  private close(entry: Entry): void {
    this.pools.delete(entry.key);
    entry.transport.then(quitAndClose).catch(() => {});
  }
}

async function loadVersion(tenantId: string, version: number): Promise<VersionConfig> {
  const row = await db.configVersion.findUnique({ where: { tenantId_version: { tenantId, version } } });
  if (!row) throw new Error(`Configuration version ${version} of tenant ${tenantId} does not exist`);
  const password = row.passwordCipher ? decryptSecret(row.passwordCipher, configVersionBinding(tenantId, version)) : null;
  const oauth = oauthSettingsOf(
    configContentOf(row),
    openSecrets(row, (k) => versionSecretBinding(tenantId, version, k)),
  );
  return {
    tenantId,
    version,
    host: row.host,
    port: row.port,
    encryption: row.encryption,
    authMethod: row.authMethod,
    username: row.username,
    password,
    heloDomain: row.heloDomain,
    plaintextAuthAcknowledged: row.plaintextAuthAcknowledged,
    secrets: withSecrets(credentialForms({ username: row.username, password }), oauthSecrets(oauth)),
    noReplyAddress: row.noReplyAddress,
    noReplyName: row.noReplyName,
    supportContact: row.supportContact,
    oauth,
  };
}

type SocketCallback = (error: Error | null, socket?: { connection: net.Socket }) => void;

/**
 * Opens each pooled connection ourselves: to the checked address (never a re-resolved name), with
 * TCP_NODELAY. Without it, the end of DATA waits on the server's delayed ACK (~40 ms a message).
 *
 * A failed connect is handed over as a socket that fails, never through the callback's error: nodemailer's
 * pool frees a connection slot only when the connection itself fails, so a hook that reports a refused or
 * timed-out connect as an error leaks the slot, and after maxConnections of them every send waits forever
 * (issue 10). nodemailer attaches its handlers synchronously; the error is emitted again right after.
 */
export function connectTo(address: string, port: number, timeoutMs: number) {
  return (_options: unknown, callback: SocketCallback) => {
    const socket = net.connect({ host: address, port, noDelay: true });
    // Errors after nodemailer has let go of the socket (teardown) must not crash the worker.
    socket.on('error', () => {});
    const timer = setTimeout(() => {
      socket.destroy(Object.assign(new Error(`Connection to ${address}:${port} timed out`), { code: 'ETIMEDOUT' }));
    }, timeoutMs);
    let handedOver = false;
    const handOver = () => {
      clearTimeout(timer);
      handedOver = true;
      callback(null, { connection: socket });
    };
    socket.once('connect', handOver);
    socket.once('error', (error) => {
      if (handedOver) return;
      handOver();
      setImmediate(() => socket.emit('error', error));
    });
  };
}

type ResourceInternals = EventEmitter & { connection?: { lastServerResponse?: string | false } };

/**
 * A server that answers 421 ("closing transmission channel") and closes while nodemailer still waits for
 * more replies (pipelined RCPTs) reaches us as "Connection closed unexpectedly" without the reply. Each
 * connection of this pool adds that 421 to such an error before the pool hands it on.
 */
function keepClosingReplies(transport: Transporter<SMTPPool.SentMessageInfo>): void {
  const pool = (transport as unknown as { transporter: { _createConnection: () => ResourceInternals } }).transporter;
  const create = pool._createConnection.bind(pool);
  pool._createConnection = () => {
    const resource = create();
    resource.prependListener('error', (error: Error & { response?: string; responseCode?: number }) => {
      const last = resource.connection?.lastServerResponse;
      if (error.response || typeof last !== 'string' || !/^421\b/.test(last)) return;
      error.response = last;
      error.responseCode = Number(last.slice(0, 3));
    });
    return resource;
  };
}

type PoolInternals = { _connections?: Array<{ available: boolean; _connected: boolean; connection?: { quit: () => void } }> };

/** nodemailer's pool close ends idle connections without a word: say QUIT first, let the 221 close them. */
function quitAndClose(transport: Transporter<SMTPPool.SentMessageInfo>): void {
  const pool = (transport as unknown as { transporter: PoolInternals }).transporter;
  for (const resource of pool._connections ?? []) {
    if (!resource.available || !resource._connected || !resource.connection) continue;
    // Not available any more: the pool's close below leaves it to the server's 221 (or the socket timeout).
    resource.available = false;
    resource.connection.quit();
  }
  transport.close();
}

async function buildTransport(config: VersionConfig, limits: Limits, timeouts: Timeouts, tokens: PipelineTokens): Promise<Transporter<SMTPPool.SentMessageInfo>> {
  const settings = probeSettings();
  const destination = await checkDestination(config.host, config.port, { allowedHosts: settings.allowedHosts, allowedPorts: settings.allowedPorts });
  const mechanism = MECHANISMS[config.authMethod];
  // Encryption "none" with a password: never AUTH in clear text to a server that offers STARTTLS. The
  // certificate is not checked here (the customer did not ask for it; an active attacker could strip
  // STARTTLS anyway), but a passive listener no longer reads the password. Without STARTTLS the password
  // goes in clear only when the customer acknowledged it on the request (decision 012); otherwise TLS is
  // required and the send fails instead.
  const upgradeForAuth = config.encryption === 'none' && config.authMethod !== 'none';
  const clearTextAllowed = !upgradeForAuth || config.plaintextAuthAcknowledged;
  const options: SMTPPool.Options = {
    pool: true,
    maxConnections: limits.maxConnections,
    maxMessages: 1000,
    ...(limits.ratePerMinute ? { rateLimit: limits.ratePerMinute, rateDelta: 60_000 } : {}),
    host: destination.address,
    port: config.port,
    secure: config.encryption === 'tls',
    requireTLS: config.encryption === 'starttls' || !clearTextAllowed,
    ignoreTLS: config.encryption === 'none' && !upgradeForAuth,
    ...(destination.servername ? { servername: destination.servername } : {}),
    ...(config.heloDomain ? { name: config.heloDomain } : {}),
    ...(config.authMethod === 'oauth2' && config.oauth
      ? { auth: tokens.auth(`${config.tenantId}:${config.version}`, config.oauth) }
      : config.authMethod !== 'none'
        ? { auth: { user: config.username, pass: config.password ?? '' } }
        : {}),
    ...(mechanism ? { authMethod: mechanism } : {}),
    tls: {
      ...(settings.trustedCa.length ? { ca: [...tls.rootCertificates, ...settings.trustedCa] } : {}),
      ...(upgradeForAuth ? { rejectUnauthorized: false } : {}),
    },
    connectionTimeout: timeouts.connectionMs,
    greetingTimeout: timeouts.greetingMs,
    socketTimeout: timeouts.socketMs,
    logger: false,
    debug: false,
  };
  const transport = nodemailer.createTransport(options);
  (transport as unknown as { getSocket: ReturnType<typeof connectTo> }).getSocket = connectTo(destination.address, config.port, timeouts.connectionMs);
  keepClosingReplies(transport);
  return transport;
}
