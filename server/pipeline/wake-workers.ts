import 'server-only';
// Tells workers that new work is due, so they claim it at once instead of at the next poll (polling stays
// as the safety net). PostgreSQL: NOTIFY on one channel, issued inside the intake transaction, so it is
// delivered only when that commits (and never for a rolled-back intake). SQLite, where web and worker
// share a machine: a datagram on loopback to every worker of that database; each worker writes the UDP
// port it listens on into a folder beside the database file (docs/decisions/019).
import dgram from 'node:dgram';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { db, isPostgres, type Tx } from '../db';
import { databaseUrl, sqlitePath } from '../db-url';
import { logError } from '../log';

export const WAKE_CHANNEL = 'relaydesk_work';

/** The folder where SQLite workers leave their wake-up ports: beside the database file, so web and worker find each other whatever else they were told. */
export function wakeFolder(url = databaseUrl()): string {
  return `${path.resolve(sqlitePath(url))}-wake`;
}

let sender: dgram.Socket | null = null;
let ports: { at: number; list: number[] } = { at: 0, list: [] };

function workerPorts(now = Date.now()): number[] {
  // Re-read at most once a second: a worker that starts is woken within a second, polled before that.
  if (now - ports.at < 1_000) return ports.list;
  let list: number[] = [];
  try {
    list = readdirSync(wakeFolder())
      .filter((f) => f.endsWith('.port'))
      .map((f) => Number(readFileSync(path.join(wakeFolder(), f), 'utf8')))
      .filter((p) => Number.isInteger(p) && p > 0 && p < 65_536);
  } catch {
    // No worker has started yet: nothing to wake.
  }
  ports = { at: now, list };
  return list;
}

/**
 * Wakes the workers. Pass the intake's transaction on PostgreSQL (the NOTIFY then commits with it); on
 * SQLite the datagram leaves after the current turn of the event loop, that is after the commit that
 * is under way (better-sqlite3 commits synchronously), and a lost datagram costs one poll at most.
 */
export async function wakeWorkers(tx?: Tx): Promise<void> {
  if (isPostgres) {
    await (tx ?? db).$executeRawUnsafe(`SELECT pg_notify('${WAKE_CHANNEL}', '')`);
    return;
  }
  setImmediate(sendDatagrams);
}

function sendDatagrams(): void {
  const list = workerPorts();
  if (list.length === 0) return;
  if (!sender) {
    sender = dgram.createSocket('udp4');
    sender.on('error', () => {});
    sender.unref();
  }
  for (const port of list) sender.send(Buffer.alloc(0), port, '127.0.0.1', () => {});
}

export type WakeListener = { close: () => Promise<void>; /** PostgreSQL only: the listening connection's backend pid (tests). */ backendPid: () => number | null };

/** Listens for wake-ups and calls onWake for each (and after reconnecting, when some may have been missed). */
export function listenForWork(workerId: string, onWake: () => void): Promise<WakeListener> {
  return isPostgres ? listenOnPostgres(onWake) : listenOnLoopback(workerId, onWake);
}

/** A dedicated connection for LISTEN (a pooled one would lose it); reconnects with backoff when it drops. */
async function listenOnPostgres(onWake: () => void): Promise<WakeListener> {
  let client: pg.Client | null = null;
  let closed = false;
  let delay = 100;
  let timer: NodeJS.Timeout | null = null;
  const connect = async (): Promise<void> => {
    if (closed) return;
    const c = new pg.Client({ connectionString: databaseUrl(), application_name: 'relaydesk-worker-listen' });
    let retried = false;
    const retry = () => {
      if (retried || closed) return;
      retried = true;
      if (client === c) client = null;
      c.end().catch(() => {});
      timer = setTimeout(() => void connect(), delay);
      delay = Math.min(delay * 2, 5_000);
    };
    c.on('error', (error) => {
      logError('the wake-up connection to PostgreSQL failed; reconnecting', error);
      retry();
    });
    c.on('end', retry);
    c.on('notification', () => onWake());
    try {
      await c.connect();
      await c.query(`LISTEN ${WAKE_CHANNEL}`);
      client = c;
      delay = 100;
      // Whatever was notified while we were away is claimed now.
      onWake();
    } catch (error) {
      logError('could not listen for wake-ups on PostgreSQL; retrying', error);
      retry();
    }
  };
  await connect();
  return {
    backendPid: () => (client as unknown as { processID?: number } | null)?.processID ?? null,
    close: async () => {
      closed = true;
      if (timer) clearTimeout(timer);
      const c = client;
      client = null;
      await c?.end().catch(() => {});
    },
  };
}

async function listenOnLoopback(workerId: string, onWake: () => void): Promise<WakeListener> {
  const socket = dgram.createSocket('udp4');
  socket.on('message', () => onWake());
  socket.on('error', (error) => logError('the wake-up socket failed', error));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  socket.unref();
  const folder = wakeFolder();
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  const file = path.join(folder, `${workerId.replace(/[^A-Za-z0-9_-]/g, '_')}.port`);
  writeFileSync(file, String(socket.address().port), { mode: 0o600 });
  return {
    backendPid: () => null,
    close: async () => {
      rmSync(file, { force: true });
      await new Promise<void>((resolve) => socket.close(() => resolve()));
    },
  };
}
