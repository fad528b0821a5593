// Helpers of the pipeline tests: a real SMTP server whose
// answers a test changes while it runs, a server that accepts and then says nothing, and a tenant whose
// request was test-sent and applied through the API against such a server.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';
import { api as papi } from '../helpers/api';
import { makeTenantWithPeople, validRequestBody } from '../helpers/factories';
import { testCerts } from '../helpers/smtp-certs';
import { resetProbeSettings } from '@/server/probes/probe-settings';
import { resetProbeBudgets } from '@/server/probes/rate-limit';
import { PipelineWorker, type WorkerOptions } from '@/server/pipeline/worker';

/** The v1 routes called in-process (tests/helpers/api.ts lists every route, this included). */
export { api as papi, type ApiResult } from '../helpers/api';

export const SMTP_USER = 'pipeline-user@acme.test';
export const SMTP_PASSWORD = 'Pip3line-S3cret-Value';

export type Reply = { code: number; message: string };
export type Received = { mailFrom: string; rcptTo: string[]; raw: string; messageId: string; at: number };
export type Behaviour = {
  /** Answer to AUTH (default: check SMTP_USER / SMTP_PASSWORD). */
  auth?: (given: { username: string; password: string }) => Reply | undefined;
  /** Answer to MAIL FROM (default: accept). */
  mail?: (address: string) => Reply | undefined;
  /** Answer to one RCPT TO (default: accept). */
  rcpt?: (address: string) => Reply | undefined;
  /** Never answer the end of DATA (a server that hangs mid-transaction). */
  hang?: (raw: string) => boolean;
  /** Answer to the end of DATA (default: accept). */
  data?: (raw: string) => Reply | undefined;
  /** Wait this long before answering DATA. */
  dataDelayMs?: number;
};
export type Sink = {
  port: number;
  received: Received[];
  behaviour: Behaviour;
  attempts: () => number;
  /** Every AUTH the server saw, and whether it came over TLS. */
  auths: Array<{ secure: boolean; at: number }>;
  /** How many QUIT commands the server saw. */
  quits: () => number;
  close: () => Promise<void>;
};
export type SinkOptions = {
  allowInsecureAuth?: boolean;
  hideSTARTTLS?: boolean;
  /** The account AUTH accepts (default SMTP_USER / SMTP_PASSWORD). */ credentials?: { username: string; password: string };
};

const replyError = ({ code, message }: Reply) => Object.assign(new Error(message), { responseCode: code });
export const messageIdOf = (raw: string) => /^Message-ID:\s*(<[^>]+>)/im.exec(raw)?.[1] ?? '';

/** A real SMTP server: STARTTLS with the test CA's localhost certificate, AUTH required. */
export async function startSink(behaviour: Behaviour = {}, options: SinkOptions = {}): Promise<Sink> {
  const certs = await testCerts();
  const received: Received[] = [];
  const auths: Sink['auths'] = [];
  let attempts = 0;
  let quits = 0;
  const ignore = () => {};
  // smtp-server logs every client command at debug level (after STARTTLS too): how the test sees QUIT.
  const logger = {
    info: ignore,
    warn: ignore,
    error: ignore,
    trace: ignore,
    fatal: ignore,
    debug: (meta: { command?: string } | undefined) => (meta?.command === 'QUIT' ? (quits += 1) : 0),
    child: () => logger,
  };
  const server = new SMTPServer({
    key: certs.localhost.key,
    cert: certs.localhost.cert,
    name: 'mx.relaydesk.test',
    logger: logger as never,
    ...(options.allowInsecureAuth ? { allowInsecureAuth: true } : {}),
    ...(options.hideSTARTTLS ? { hideSTARTTLS: true } : {}),
    closeTimeout: 100,
    disableReverseLookup: true,
    authMethods: ['PLAIN', 'LOGIN'],
    size: 10 * 1024 * 1024,
    onAuth(auth, session, callback) {
      auths.push({ secure: Boolean(session.secure), at: Date.now() });
      const forced = sink.behaviour.auth?.({ username: auth.username ?? '', password: auth.password ?? '' });
      if (forced) return callback(replyError(forced));
      const account = options.credentials ?? { username: SMTP_USER, password: SMTP_PASSWORD };
      if (auth.username !== account.username || auth.password !== account.password) return callback(replyError({ code: 535, message: '5.7.8 Authentication credentials invalid' }));
      callback(null, { user: auth.username });
    },
    onMailFrom(address, _session, callback) {
      const forced = sink.behaviour.mail?.(address.address);
      callback(forced ? replyError(forced) : null);
    },
    onRcptTo(address, _session, callback) {
      const forced = sink.behaviour.rcpt?.(address.address);
      callback(forced ? replyError(forced) : null);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        attempts += 1;
        const raw = Buffer.concat(chunks).toString('utf8');
        if (sink.behaviour.hang?.(raw)) return;
        const finish = () => {
          const forced = sink.behaviour.data?.(raw);
          if (forced) return callback(replyError(forced));
          received.push({
            mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            rcptTo: session.envelope.rcptTo.map((r) => r.address),
            raw,
            messageId: messageIdOf(raw),
            at: Date.now(),
          });
          callback(null, 'Ok: queued');
        };
        if (sink.behaviour.dataDelayMs) setTimeout(finish, sink.behaviour.dataDelayMs);
        else finish();
      });
    },
  });
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  const sink: Sink = { port: address.port, received, behaviour, attempts: () => attempts, auths, quits: () => quits, close: () => new Promise((r) => server.close(() => r())) };
  return sink;
}

/** Points the destination guard at loopback and the test CA (like tests/integration/probe-api.test.ts). */
export async function allowLocalServers(...ports: number[]): Promise<{ caFile: string }> {
  const certs = await testCerts();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'relaydesk-pipeline-ca-'));
  const caFile = path.join(dir, 'ca.pem');
  writeFileSync(caFile, certs.ca);
  process.env.SMTP_TRUSTED_CA_FILE = caFile;
  process.env.SMTP_ALLOWED_HOSTS = '127.0.0.1,::1';
  process.env.SMTP_ALLOWED_PORTS = ports.join(',');
  resetProbeSettings();
  return { caFile };
}

export type AppliedTenant = Awaited<ReturnType<typeof makeTenantWithPeople>> & { requestId: string; pipelineToken: string; slug: string };

/** Files a request for the server on port, takes it, test-sends it (probe through the real server) and, unless told not to, applies it. */
export async function testedRequest(port: number, overrides: Record<string, unknown> = {}, people?: Awaited<ReturnType<typeof makeTenantWithPeople>>) {
  await resetProbeBudgets();
  const p = people ?? (await makeTenantWithPeople());
  const body = validRequestBody({
    host: 'localhost',
    port,
    encryption: 'starttls',
    authMethod: 'plain',
    username: SMTP_USER,
    password: SMTP_PASSWORD,
    heloDomain: 'relaydesk.test',
    noReplyAddress: 'noreply@acme.test',
    noReplyName: 'Acme Notifications',
    supportContact: 'https://support.acme.test/help',
    testRecipient: 'ops@acme.test',
    ...overrides,
  });
  const created = await papi('POST', '/api/v1/smtp-requests', { token: p.admin.token, body });
  assert.equal(created.status, 201, created.text);
  const id = created.body.id as string;
  const taken = await papi('POST', `/api/v1/smtp-requests/${id}/transitions`, { token: p.tam.token, body: { to: 'in_review' } });
  assert.equal(taken.status, 200, taken.text);
  const sent = await papi('POST', `/api/v1/smtp-requests/${id}/test-send`, { token: p.tam.token, body: {} });
  assert.equal(sent.status, 200, sent.text);
  assert.equal(sent.body.ok, true, JSON.stringify(sent.body.steps));
  return { ...p, requestId: id };
}

export async function appliedTenant(port: number, overrides: Record<string, unknown> = {}): Promise<AppliedTenant> {
  const t = await testedRequest(port, overrides);
  const applied = await papi('POST', `/api/v1/smtp-requests/${t.requestId}/apply`, { token: t.tam.token });
  assert.equal(applied.status, 201, applied.text);
  const token = await papi('POST', `/api/v1/tenants/${t.tenant.slug}/pipeline-tokens`, { token: t.tam.token });
  assert.equal(token.status, 201, token.text);
  return { ...t, pipelineToken: token.body.token as string, slug: t.tenant.slug };
}

export function notify(t: { slug: string; pipelineToken: string }, body: Record<string, unknown> = {}) {
  return papi('POST', `/api/v1/tenants/${t.slug}/notifications`, {
    token: t.pipelineToken,
    body: { to: ['alice@customer.test'], subject: 'You were mentioned', text: 'Hello', kind: 'mention', ...body },
  });
}

export async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false> | T | null | undefined | false, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A worker tuned for tests: fast polls, short leases and backoff, short send timeouts. */
export function testWorker(options: Partial<WorkerOptions> = {}): PipelineWorker {
  const worker = new PipelineWorker({
    pollMs: 20,
    leaseMs: 3_000,
    backoff: { baseMs: 40, capMs: 200 },
    timeouts: { connectionMs: 1_000, greetingMs: 600, socketMs: 2_000 },
    tenantBacklog: 10,
    batchSize: 20,
    flushMs: 10,
    ...options,
  });
  worker.start();
  return worker;
}

/** A TCP proxy in front of a server: 'forward' passes bytes through, 'silent' accepts and never answers (a hung server). */
export type Proxy = { port: number; mode: 'forward' | 'silent'; connections: () => number; drop: () => void; close: () => Promise<void> };

export async function startSwitchableProxy(targetPort: number): Promise<Proxy> {
  const sockets = new Set<net.Socket>();
  let connections = 0;
  const server = net.createServer((client) => {
    connections += 1;
    sockets.add(client);
    client.on('error', () => {});
    client.on('close', () => sockets.delete(client));
    if (proxy.mode === 'silent') return;
    const upstream = net.connect(targetPort, '127.0.0.1');
    sockets.add(upstream);
    upstream.on('error', () => client.destroy());
    upstream.on('close', () => {
      sockets.delete(upstream);
      client.destroy();
    });
    client.on('close', () => upstream.destroy());
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  const proxy: Proxy = {
    port: address.port,
    mode: 'forward',
    connections: () => connections,
    /** Cuts every open connection (a server restart): pooled clients must connect again. */
    drop: () => sockets.forEach((s) => s.destroy()),
    close: () => {
      sockets.forEach((s) => s.destroy());
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
  return proxy;
}
