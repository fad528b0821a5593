import 'server-only';
// The notification worker. It claims due outbox rows under a lease, sorts them into one lane per tenant,
// and each lane sends through its tenant's pooled transport with at most maxConnections in flight. A
// tenant whose server hangs or throttles fills only its own lane: the claim skips tenants whose lane is
// full, so the others keep flowing. See docs/decisions/008-pipeline.md.
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { z } from 'zod';
import { db } from '../db';
import { logError, logInfo } from '../log';
import { DEFAULT_BACKOFF, DEFAULT_MAX_LIFETIME_MS, retryDelay, type BackoffPolicy } from './backoff';
import { classifyFailure } from './classify-failure';
import { composeNotification } from './compose-notification';
import { claimDue, markDelivered, releaseLeases, renewLeases, type ClaimedRow, type Delivered } from './outbox-leases';
import { canaryDelivered, canaryFailed, markDead, pauseTenant, recordRecipients, recordRecycledLane, relayPauseReason, scheduleRetry } from './record-outcome';
import { applySendResult, recipientStatesOf, remainingRecipients, statusOfRecipients, type RecipientState, type RefusedRecipient } from './recipient-states';
import { storedReply } from './stored-reply';
import { DEFAULT_TIMEOUTS, TenantTransports, type Limits, type Timeouts, type VersionConfig } from './tenant-transports';
import { listenForWork, type WakeListener } from './wake-workers';
import { acquireSlots, pruneSendMinutes, releaseSlots, renewSlots, takeSendPermit } from './delivery-limits';
import { OwnMailLane } from '../own-mail/own-mail-lane';

export type WorkerOptions = {
  workerId: string;
  pollMs: number;
  leaseMs: number;
  batchSize: number;
  /** Rows one tenant may hold in this worker (queued + in flight) before the claim skips it. */
  tenantBacklog: number;
  backoff: BackoffPolicy;
  maxLifetimeMs: number;
  timeouts: Timeouts;
  idleTransportMs: number;
  /** Delivered rows are written in batches: at most this many, or after flushMs. */
  flushBatch: number;
  flushMs: number;
  /** How often the watchdog looks for lanes without progress. */
  watchdogMs: number;
  /** On stop (SIGTERM), how long sends in flight may finish before their rows are given back. */
  drainMs: number;
  /** A lane idle this long closes its pool (QUIT) and gives its connection slots to other workers. */
  slotIdleMs: number;
};

export const DEFAULT_WORKER_OPTIONS: WorkerOptions = {
  workerId: `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
  pollMs: 500,
  leaseMs: 60_000,
  batchSize: 200,
  tenantBacklog: 200,
  backoff: DEFAULT_BACKOFF,
  maxLifetimeMs: DEFAULT_MAX_LIFETIME_MS,
  timeouts: DEFAULT_TIMEOUTS,
  idleTransportMs: 30_000,
  // SQLite commits block the event loop (better-sqlite3 is synchronous): fewer, larger commits.
  flushBatch: 500,
  flushMs: 200,
  watchdogMs: 1_000,
  // Under the 10 s a supervisor (systemd, Kubernetes, npm start) waits before SIGKILL, with room to release and QUIT.
  drainMs: 6_000,
  slotIdleMs: 5_000,
};

const ms = z.coerce.number().int().min(1);
const EnvSchema = z.object({
  PIPELINE_POLL_MS: ms.optional(),
  PIPELINE_LEASE_MS: ms.optional(),
  PIPELINE_BATCH: ms.optional(),
  PIPELINE_TENANT_BACKLOG: ms.optional(),
  PIPELINE_BACKOFF_BASE_MS: ms.optional(),
  PIPELINE_BACKOFF_CAP_MS: ms.optional(),
  PIPELINE_MAX_LIFETIME_MS: ms.optional(),
  PIPELINE_SEND_TIMEOUT_MS: ms.optional(),
  PIPELINE_DRAIN_MS: ms.optional(),
});

/** Worker settings from PIPELINE_* variables (validated; unset ones keep their defaults). */
export function workerOptionsFromEnv(env: Record<string, string | undefined> = process.env): WorkerOptions {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) throw new Error(`Invalid worker environment: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const e = parsed.data;
  const d = DEFAULT_WORKER_OPTIONS;
  const send = e.PIPELINE_SEND_TIMEOUT_MS;
  return {
    ...d,
    pollMs: e.PIPELINE_POLL_MS ?? d.pollMs,
    leaseMs: e.PIPELINE_LEASE_MS ?? d.leaseMs,
    batchSize: e.PIPELINE_BATCH ?? d.batchSize,
    tenantBacklog: e.PIPELINE_TENANT_BACKLOG ?? d.tenantBacklog,
    backoff: { baseMs: e.PIPELINE_BACKOFF_BASE_MS ?? d.backoff.baseMs, capMs: e.PIPELINE_BACKOFF_CAP_MS ?? d.backoff.capMs },
    maxLifetimeMs: e.PIPELINE_MAX_LIFETIME_MS ?? d.maxLifetimeMs,
    drainMs: e.PIPELINE_DRAIN_MS ?? d.drainMs,
    timeouts: send ? { connectionMs: send, greetingMs: send, socketMs: send } : d.timeouts,
  };
}

type PipelineState = { activeVersion: number | null; paused: boolean } & Limits;
type Lane = {
  tenantId: string;
  queue: ClaimedRow[];
  active: number;
  state: PipelineState;
  /** Connection slots this worker holds for the tenant (its pool has that many connections); 0: none. */
  slots: number;
  lastActive: number;
};

/** A lane's pool: as many connections as slots held; the rate is counted in the database, not by the pool. */
const laneLimits = (lane: Lane): Limits => ({ maxConnections: Math.max(1, lane.slots), ratePerMinute: null });

/** A connection that was gone before the send began; one that closed with a reply (a 421) is the reply. */
function isStaleConnection(error: unknown): boolean {
  const e = error as { code?: string; message?: string; response?: string } | null;
  return e?.code === 'ECONNECTION' && !e.response && /already destroyed|closed/i.test(e.message ?? '');
}

type SentInfo = { accepted?: unknown[]; rejectedErrors?: RefusedRecipient[]; response?: string };

export class PipelineWorker {
  readonly options: WorkerOptions;
  private readonly transports: TenantTransports;
  private readonly lanes = new Map<string, Lane>();
  private readonly held = new Set<string>();
  private readonly sending = new Set<Promise<void>>();
  private delivered: Delivered[] = [];
  private flushing: Promise<void> = Promise.resolve();
  private flushTimer: NodeJS.Timeout | null = null;
  private timers: NodeJS.Timeout[] = [];
  private running = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  /** A wake-up that came while the worker was claiming: claim again before waiting. */
  private nudged = false;
  private listener: Promise<WakeListener | null> | null = null;
  /** Set once stop() gave up on the sends still in flight and released their leases. */
  private abandoned = false;
  private claiming: Promise<number> | null = null;
  /** Claim statements run so far (tests: a backlog is claimed in whole batches, not a few rows at a time). */
  claims = 0;
  /** Relaydesk's own mail: one more lane, claimed in the same loop (docs/decisions/022). */
  private readonly ownMail: OwnMailLane;

  constructor(options: Partial<WorkerOptions> = {}) {
    this.options = { ...DEFAULT_WORKER_OPTIONS, ...options };
    this.transports = new TenantTransports(this.options.timeouts, this.options.idleTransportMs);
    const { leaseMs, backoff, maxLifetimeMs, timeouts } = this.options;
    this.ownMail = new OwnMailLane(this.options.workerId, { leaseMs, backoff, maxLifetimeMs, timeouts });
  }

  get id(): string {
    return this.options.workerId;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    const { leaseMs } = this.options;
    this.timers.push(setInterval(() => void this.renew(), Math.max(50, Math.floor(leaseMs / 3))));
    this.timers.push(setInterval(() => this.transports.sweep((t) => this.currentKey(t)), 5_000));
    this.timers.push(setInterval(() => void this.watchdog(), this.options.watchdogMs));
    this.timers.push(setInterval(() => void this.releaseIdleSlots(), Math.min(1_000, this.options.slotIdleMs)));
    this.timers.push(setInterval(() => void pruneSendMinutes().catch((error: unknown) => logError('could not prune send counters', error)), 60_000));
    this.listener = listenForWork(this.id, () => this.nudge()).catch((error: unknown) => {
      logError('could not listen for wake-ups; polling only', error);
      return null;
    });
    this.loop = this.run();
  }

  /** New work was announced (or may have been): claim now. */
  nudge(): void {
    this.nudged = true;
    this.wake?.();
  }

  /** The wake-up listener (tests: its PostgreSQL connection). */
  wakeListener(): Promise<WakeListener | null> {
    return this.listener ?? Promise.resolve(null);
  }

  /**
   * Drains (SIGTERM): stops claiming, gives back what has not started at once, lets what is in flight
   * finish for up to graceMs, then gives those rows back too (their leases released, not left to run out:
   * another worker sends them again with the same Message-ID), says QUIT on its pools and stops listening.
   */
  async stop(graceMs = this.options.drainMs): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wake?.();
    await this.loop;
    await this.claiming;
    const ownMailStopped = this.ownMail.stop(graceMs);
    const waiting = [...this.lanes.values()].flatMap((lane) => lane.queue.splice(0).map((r) => r.id));
    waiting.forEach((id) => this.held.delete(id));
    await releaseLeases(this.id, waiting).catch((error: unknown) => logError('could not release leases', error));
    const listener = await this.listener;
    await listener?.close().catch((error: unknown) => logError('could not stop listening for wake-ups', error));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled([...this.sending]), new Promise((r) => (timer = setTimeout(r, graceMs)))]);
    clearTimeout(timer);
    await ownMailStopped;
    // Delivered rows first (those are done), then whatever is still in flight goes back.
    await this.flush();
    const unfinished = [...this.held];
    if (unfinished.length > 0) {
      this.abandoned = true;
      await releaseLeases(this.id, unfinished).catch((error: unknown) => logError('could not release leases', error));
      logInfo(`released ${unfinished.length} notification(s) still in flight after ${graceMs} ms`);
    }
    this.timers.forEach(clearInterval);
    this.timers = [];
    this.transports.closeAll();
    await releaseSlots(this.id).catch((error: unknown) => logError('could not release connection slots', error));
  }

  /** Lanes with nothing to do close their pools and let other workers have their connection slots. */
  async releaseIdleSlots(now = Date.now()): Promise<void> {
    for (const lane of this.lanes.values()) {
      if (lane.slots === 0 || lane.active > 0 || lane.queue.length > 0 || now - lane.lastActive < this.options.slotIdleMs) continue;
      lane.slots = 0;
      this.transports.dropTenant(lane.tenantId);
      await releaseSlots(this.id, lane.tenantId).catch((error: unknown) => logError('could not release connection slots', error));
    }
  }

  /** Recycles lanes whose pool made no progress for longer than its timeouts allow; logs and shows it. */
  async watchdog(now = Date.now()): Promise<void> {
    for (const lane of this.transports.recycleStalled(now)) {
      const reason = `No progress for ${Math.round(lane.stalledMs / 1000)} s with ${lane.inFlight} send(s) in flight: the connection pool was recycled`;
      logError(`pipeline lane of tenant ${lane.tenantId} recycled`, new Error(reason));
      await recordRecycledLane(lane.tenantId, reason).catch((error: unknown) => logError('could not record a recycled lane', error));
    }
  }

  /** Resolves when this worker holds nothing (tests and the bench). */
  async drained(): Promise<void> {
    while (this.held.size > 0 || this.sending.size > 0 || this.ownMail.busy) await new Promise((r) => setTimeout(r, 10));
    await this.flush();
  }

  private async run(): Promise<void> {
    while (this.running) {
      let claimed = 0;
      this.nudged = false;
      try {
        this.claiming = this.claim();
        claimed = await this.claiming;
      } catch (error) {
        logError('claiming notifications failed', error);
      } finally {
        this.claiming = null;
      }
      await this.ownMail.claim().catch((error: unknown) => logError('claiming own mail failed', error));
      // A full batch means more is due: claim again at once if a whole batch fits (other tenants' rows:
      // the lanes just filled are skipped). A claim for the few rows of room left is not worth its commit;
      // the sends that free the room wake the loop (pump).
      if (claimed >= this.options.batchSize && this.room() >= this.options.batchSize) continue;
      if (this.nudged) {
        this.nudged = false;
        if (this.room() > 0) continue;
      }
      if (!this.running) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.options.pollMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = null;
    }
  }

  private room(): number {
    return Math.max(0, this.options.batchSize * 2 - this.held.size);
  }

  /** One claim: skips tenants whose lane is full, then refreshes the pipeline state of the claimed tenants. */
  async claim(): Promise<number> {
    const limit = Math.min(this.options.batchSize, this.room());
    if (limit === 0) return 0;
    const full = [...this.lanes.values()].filter((l) => l.queue.length + l.active >= this.options.tenantBacklog).map((l) => l.tenantId);
    this.claims += 1;
    const rows = (await claimDue(this.id, this.options.leaseMs, limit, full)).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
    if (rows.length === 0) return 0;
    rows.forEach((row) => this.held.add(row.id));
    const tenantIds = [...new Set(rows.map((r) => r.tenantId))];
    const states = await db.tenantPipeline.findMany({ where: { tenantId: { in: tenantIds } } });
    for (const s of states) {
      const lane = this.lane(s.tenantId);
      lane.state = { activeVersion: s.activeVersion, paused: s.paused, maxConnections: Math.max(1, s.maxConnections), ratePerMinute: s.ratePerMinute };
    }
    for (const row of rows) this.lane(row.tenantId).queue.push(row);
    for (const id of tenantIds) {
      const lane = this.lane(id);
      lane.lastActive = Date.now();
      if (lane.slots === 0) lane.slots = await acquireSlots(this.id, id, lane.state.maxConnections, lane.state.maxConnections, this.options.leaseMs);
      // Another worker took the last slot between the claim and now: the rows go back for it (or later).
      if (lane.slots === 0) await this.releaseLane(lane);
      else this.pump(lane);
    }
    return rows.length;
  }

  private lane(tenantId: string): Lane {
    let lane = this.lanes.get(tenantId);
    if (!lane) {
      lane = { tenantId, queue: [], active: 0, state: { activeVersion: null, paused: false, maxConnections: 1, ratePerMinute: null }, slots: 0, lastActive: Date.now() };
      this.lanes.set(tenantId, lane);
    }
    return lane;
  }

  private currentKey(tenantId: string): string | null {
    const lane = this.lanes.get(tenantId);
    if (!lane?.state.activeVersion) return null;
    return TenantTransports.keyOf(tenantId, lane.state.activeVersion, laneLimits(lane));
  }

  private pump(lane: Lane): void {
    // Twice the connections in flight: the pool then always has the next message ready when a connection frees.
    while (this.running && lane.slots > 0 && lane.active < lane.slots * 2 && lane.queue.length > 0) {
      const row = lane.queue.shift()!;
      lane.active += 1;
      const sending = this.send(lane, row).finally(() => {
        lane.active -= 1;
        lane.lastActive = Date.now();
        this.held.delete(row.id);
        this.sending.delete(sending);
        this.pump(lane);
        // Room for a whole batch in the worker just now, or a full lane down to half: claim now rather than
        // at the next poll. Once, when it happens, not on every freed slot after it: each claim is a
        // commit, and claims of a few rows cost more than the sends they feed (new work announces itself).
        if (lane.queue.length + lane.active === Math.floor(this.options.tenantBacklog / 2) || this.held.size === this.options.batchSize - 1) this.nudge();
      });
      this.sending.add(sending);
    }
  }

  private async send(lane: Lane, row: ClaimedRow): Promise<void> {
    // The canary tests its own version; everything else goes out with the version active now.
    const version = row.canary ? row.configVersion : lane.state.activeVersion;
    if (!version) {
      await releaseLeases(this.id, [row.id]);
      return;
    }
    let config: VersionConfig | null = null;
    try {
      config = await this.transports.config(row.tenantId, version);
      const states = row.recipientStates ? recipientStatesOf(row) : null;
      const targets = states ? remainingRecipients(states) : (JSON.parse(row.recipients) as string[]);
      const message = composeNotification({ ...row, recipients: JSON.stringify(targets) }, config);
      if (lane.state.ratePerMinute && !(await this.permitted(lane))) {
        await releaseLeases(this.id, [row.id]);
        return;
      }
      let info: SentInfo;
      try {
        info = await this.transports.send(config, laneLimits(lane), async (transport): Promise<SentInfo> => {
          try {
            return await transport.sendMail(message);
          } catch (error) {
            // A pooled connection the server closed while idle is not a delivery attempt: send again on a fresh one.
            if (isStaleConnection(error)) return transport.sendMail(message);
            throw error;
          }
        });
      } catch (error) {
        // Every recipient refused: still an answer per recipient, not a failure of the message.
        const refused = (error as { rejectedErrors?: RefusedRecipient[] } | null)?.rejectedErrors;
        if (!refused?.length) throw error;
        info = { accepted: [], rejectedErrors: refused, response: '' };
      }
      const refused = info.rejectedErrors ?? [];
      const secrets = config.secrets;
      const reply = storedReply(info.response || '250', secrets);
      if (refused.length === 0 && !states) {
        if (row.canary) await canaryDelivered(this.id, row.id, row.tenantId, version, reply);
        else this.queueDelivered({ id: row.id, reply, version });
        return;
      }
      if (row.canary) {
        // The canary has one recipient: its refusal is the canary's failure.
        throw Object.assign(new Error('Recipient refused'), { responseCode: refused[0]!.responseCode, response: refused[0]!.response });
      }
      await this.perRecipient(lane, row, version, states ?? recipientStatesOf(row), targets, info, secrets);
    } catch (error) {
      await this.failed(lane, row, version, error, config?.secrets ?? []).catch((e: unknown) => logError('recording a failed delivery failed', e));
    }
  }

  /** Waits for the tenant's minute to have room (counted for all workers in the database); false when the worker stopped meanwhile. */
  private async permitted(lane: Lane): Promise<boolean> {
    for (;;) {
      if (!this.running || this.abandoned) return false;
      const rate = lane.state.ratePerMinute;
      if (!rate) return true;
      const waitMs = await takeSendPermit(lane.tenantId, rate);
      if (waitMs === 0) return true;
      // Checked again every second: a stop (drain) does not wait for the next minute.
      await new Promise((r) => setTimeout(r, Math.min(waitMs + Math.floor(Math.random() * 50), 1_000)));
    }
  }

  /** Accepted recipients are done, 4xx ones retried, 5xx ones dead letters; a relay refusal pauses the tenant. */
  private async perRecipient(lane: Lane, row: ClaimedRow, version: number, states: RecipientState[], targets: string[], info: SentInfo, secrets: string[]): Promise<void> {
    const accepted = (info.accepted ?? []).map(String);
    const outcome = applySendResult(states, targets, accepted, info.rejectedErrors ?? [], info.response || '250', (text) => storedReply(text, secrets));
    const age = Date.now() - row.createdAt.getTime();
    const expired = age > this.options.maxLifetimeMs;
    const final = expired
      ? outcome.states.map((s) =>
          s.state === 'retrying'
            ? { ...s, state: 'dead' as const, reply: storedReply(`Gave up after ${Math.round(age / 3_600_000)} h (maximum lifetime): ${s.reply ?? ''}`, secrets) }
            : s,
        )
      : outcome.states;
    const json = JSON.stringify(final);
    if (outcome.relayRefusal) {
      const paused = await pauseTenant(this.id, row.id, row.tenantId, version, outcome.relayRefusal, { reason: relayPauseReason(version, outcome.relayRefusal), states: json });
      if (paused) logInfo(`tenant ${row.tenantId} paused: the server refuses to relay (version ${version})`);
      lane.state = { ...lane.state, paused: true };
      this.transports.dropTenant(row.tenantId);
      await this.releaseLane(lane);
      return;
    }
    const status = statusOfRecipients(final);
    await recordRecipients(this.id, row.id, {
      status,
      states: json,
      // A dead letter shows why it is one, even when this attempt went well for the recipients it had left.
      lastReply: outcome.firstRefusal ?? (status === 'dead' ? final.find((s) => s.state === 'dead')?.reply : null) ?? storedReply(info.response || '250', secrets),
      failed: outcome.firstRefusal !== null,
      version,
      nextAttemptAt: new Date(Date.now() + retryDelay(row.attempts + 1, this.options.backoff)),
    });
  }

  private async failed(lane: Lane, row: ClaimedRow, version: number, error: unknown, secrets: string[]): Promise<void> {
    const failure = classifyFailure(error);
    const { kind } = failure;
    const reply = storedReply(failure.reply, secrets);
    // stop() gave this row back already (its send was cut short by the drain): not an attempt.
    if (this.abandoned) return;
    // The tenant was paused while this was in flight (its pool is being closed): not an attempt.
    if (lane.state.paused && !row.canary) {
      await releaseLeases(this.id, [row.id]);
      return;
    }
    if (row.canary && kind !== 'temporary') {
      const outcome = await canaryFailed(this.id, row.id, row.tenantId, version, reply);
      if (outcome !== 'superseded') logInfo(`canary of version ${version} failed; tenant ${outcome}`);
      if (outcome === 'paused') await this.releaseLane(lane);
      return;
    }
    if (kind === 'pause') {
      await pauseTenant(this.id, row.id, row.tenantId, version, reply);
      lane.state = { ...lane.state, paused: true };
      this.transports.dropTenant(row.tenantId);
      await this.releaseLane(lane);
      return;
    }
    // A whole-message failure applies to every recipient still to do (stored only once they differ).
    const states = row.recipientStates ? recipientStatesOf(row) : null;
    const age = Date.now() - row.createdAt.getTime();
    const dead = kind === 'permanent' || age > this.options.maxLifetimeMs;
    const why = dead && kind !== 'permanent' ? storedReply(`Gave up after ${Math.round(age / 3_600_000)} h (maximum lifetime): ${reply}`, secrets) : reply;
    const at = new Date().toISOString();
    const next = states?.map((s) => (s.state === 'pending' || s.state === 'retrying' ? { ...s, state: dead ? ('dead' as const) : ('retrying' as const), reply: why, at } : s));
    const json = next ? JSON.stringify(next) : undefined;
    if (dead) {
      await markDead(this.id, row.id, why, version, json);
      return;
    }
    await scheduleRetry(this.id, row.id, reply, new Date(Date.now() + retryDelay(row.attempts + 1, this.options.backoff)), json);
  }

  /** A paused tenant's rows that have not started go back to the queue untouched. */
  private async releaseLane(lane: Lane): Promise<void> {
    const ids = lane.queue.splice(0).map((r) => r.id);
    ids.forEach((id) => this.held.delete(id));
    await releaseLeases(this.id, ids);
  }

  private queueDelivered(d: Delivered): void {
    this.delivered.push(d);
    if (this.delivered.length >= this.options.flushBatch) void this.flush();
    else this.flushTimer ??= setTimeout(() => void this.flush(), this.options.flushMs);
  }

  /** Writes the delivered batch; one flush at a time, so rows are never written twice or out of order. */
  flush(): Promise<void> {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    const batch = this.delivered.splice(0);
    this.flushing = this.flushing.then(async () => {
      if (batch.length === 0) return;
      try {
        await markDelivered(this.id, batch);
      } catch (error) {
        // The lease runs out and the rows are sent again, with the same Message-ID: a duplicate, not a loss.
        logError('could not record delivered notifications', error);
      }
    });
    return this.flushing;
  }

  private async renew(): Promise<void> {
    try {
      await renewLeases(this.id, [...this.held], this.options.leaseMs);
      await this.ownMail.renew();
      if ([...this.lanes.values()].some((l) => l.slots > 0)) await renewSlots(this.id, this.options.leaseMs);
    } catch (error) {
      logError('could not renew leases', error);
    }
  }
}
