import 'server-only';
// One pooled nodemailer transport per tenant, version and limits. A newly applied version (or new limits)
// gets a new pool from the next message on; the old pool finishes what it has and is closed when idle.
// Each pool connects to the address the destination guard checked (resolved once per pool), with TLS
// verifying the configured name, exactly like the probes.
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
import type { SendingConfig } from './compose-notification';

export type VersionConfig = SendingConfig & {
  host: string;
  port: number;
  encryption: string;
  authMethod: string;
  username: string;
  password: string | null;
  heloDomain: string;
  oauth: OAuthSettings | null;
};

export type Limits = { maxConnections: number; ratePerMinute: number | null };
export type Timeouts = { connectionMs: number; greetingMs: number; socketMs: number };
export const DEFAULT_TIMEOUTS: Timeouts = { connectionMs: 10_000, greetingMs: 10_000, socketMs: 30_000 };

type Entry = { key: string; tenantId: string; transport: Promise<Transporter<SMTPPool.SentMessageInfo>>; inFlight: number; lastUsed: number };

const MECHANISMS: Record<string, string> = { plain: 'PLAIN', login: 'LOGIN', 'cram-md5': 'CRAM-MD5' };

export class TenantTransports {
  private versions = new Map<string, Promise<VersionConfig>>();
  private pools = new Map<string, Entry>();

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
      const transport = buildTransport(config, limits, this.timeouts);
      entry = { key, tenantId: config.tenantId, transport, inFlight: 0, lastUsed: Date.now() };
      this.pools.set(key, entry);
      // A pool that could not be built (destination refused, DNS) is built again on the next message.
      transport.catch(() => this.pools.get(key) === entry && this.pools.delete(key));
    }
    entry.inFlight += 1;
    entry.lastUsed = Date.now();
    try {
      return await work(await entry.transport);
    } finally {
      entry.inFlight -= 1;
      entry.lastUsed = Date.now();
    }
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
    entry.transport.then((t) => t.close()).catch(() => {});
  }
}

async function loadVersion(tenantId: string, version: number): Promise<VersionConfig> {
  const row = await db.configVersion.findUnique({ where: { tenantId_version: { tenantId, version } } });
  if (!row) throw new Error(`Configuration version ${version} of tenant ${tenantId} does not exist`);
  return {
    tenantId,
    version,
    host: row.host,
    port: row.port,
    encryption: row.encryption,
    authMethod: row.authMethod,
    username: row.username,
    password: row.passwordCipher ? decryptSecret(row.passwordCipher, configVersionBinding(tenantId, version)) : null,
    heloDomain: row.heloDomain,
    noReplyAddress: row.noReplyAddress,
    noReplyName: row.noReplyName,
    supportContact: row.supportContact,
    oauth: oauthSettingsOf(configContentOf(row), openSecrets(row, (k) => versionSecretBinding(tenantId, version, k))),
  };
}

type SocketCallback = (error: Error | null, socket?: { connection: net.Socket }) => void;

/**
 * Opens each pooled connection ourselves: to the checked address (never a re-resolved name), with
 * TCP_NODELAY. Without it, the end of DATA waits on the server's delayed ACK (~40 ms a message).
 */
export function connectTo(address: string, port: number, timeoutMs: number) {
  return (_options: unknown, callback: SocketCallback) => {
    const socket = net.connect({ host: address, port, noDelay: true });
    const timer = setTimeout(() => {
      socket.destroy();
      callback(Object.assign(new Error(`Connection to ${address}:${port} timed out`), { code: 'ETIMEDOUT' }));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      callback(null, { connection: socket });
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      callback(Object.assign(error, { code: (error as NodeJS.ErrnoException).code ?? 'ECONNECTION' }));
    });
  };
}

async function buildTransport(config: VersionConfig, limits: Limits, timeouts: Timeouts): Promise<Transporter<SMTPPool.SentMessageInfo>> {
  const settings = probeSettings();
  const destination = await checkDestination(config.host, config.port, { allowedHosts: settings.allowedHosts, allowedPorts: settings.allowedPorts });
  const mechanism = MECHANISMS[config.authMethod];
  const options: SMTPPool.Options = {
    pool: true,
    maxConnections: limits.maxConnections,
    maxMessages: 1000,
    ...(limits.ratePerMinute ? { rateLimit: limits.ratePerMinute, rateDelta: 60_000 } : {}),
    host: destination.address,
    port: config.port,
    secure: config.encryption === 'tls',
    requireTLS: config.encryption === 'starttls',
    ignoreTLS: config.encryption === 'none',
    ...(destination.servername ? { servername: destination.servername } : {}),
    ...(config.heloDomain ? { name: config.heloDomain } : {}),
    ...(config.authMethod !== 'none' ? { auth: { user: config.username, pass: config.password ?? '' } } : {}),
    ...(mechanism ? { authMethod: mechanism } : {}),
    tls: settings.trustedCa.length ? { ca: [...tls.rootCertificates, ...settings.trustedCa] } : {},
    connectionTimeout: timeouts.connectionMs,
    greetingTimeout: timeouts.greetingMs,
    socketTimeout: timeouts.socketMs,
    logger: false,
    debug: false,
  };
  const transport = nodemailer.createTransport(options);
  (transport as unknown as { getSocket: ReturnType<typeof connectTo> }).getSocket = connectTo(destination.address, config.port, timeouts.connectionMs);
  return transport;
}
