// One port in front of a real server whose behaviour a test switches while the client keeps its
// configuration: forwarding, refusing connections (nobody listens), dropping SYNs (a blackholed accept),
// or accepting and never greeting. An outage and its recovery on the same port, as customers see them.
import net from 'node:net';
import { Worker } from 'node:worker_threads';

export type FrontMode = 'forward' | 'refuse' | 'blackhole' | 'silent';
export type Front = { port: number; mode: () => FrontMode; connections: () => number; set: (mode: FrontMode) => Promise<void>; close: () => Promise<void> };

async function listenOn(server: net.Server, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host: '127.0.0.1' }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** A listener with a backlog of 1 in a blocked thread, its queue filled: the kernel drops further SYNs. */
async function blackholeOn(port: number): Promise<() => Promise<void>> {
  const gate = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(
    `const net = require('node:net');
     const { parentPort, workerData } = require('node:worker_threads');
     const server = net.createServer();
     server.on('error', (e) => parentPort.postMessage('error ' + e.message));
     server.listen({ port: workerData.port, host: '127.0.0.1', backlog: 1 }, () => {
       parentPort.postMessage('listening');
       Atomics.wait(workerData.gate, 0, 0);
       server.close();
     });`,
    { eval: true, workerData: { gate, port } },
  );
  const first = await new Promise<string>((resolve) => worker.once('message', resolve));
  if (first !== 'listening') throw new Error(`blackhole on ${port}: ${first}`);
  const fillers = [0, 1, 2].map(() => net.connect(port, '127.0.0.1').on('error', () => {}));
  await new Promise((resolve) => setTimeout(resolve, 50));
  return async () => {
    for (const filler of fillers) filler.destroy();
    Atomics.store(gate, 0, 1);
    Atomics.notify(gate, 0);
    await worker.terminate();
  };
}

export async function startFront(targetPort: number): Promise<Front> {
  const sockets = new Set<net.Socket>();
  let connections = 0;
  let mode: FrontMode = 'forward';
  let server: net.Server | null = null;
  let stopBlackhole: (() => Promise<void>) | null = null;
  const track = (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  };
  const makeServer = () =>
    net.createServer((client) => {
      connections += 1;
      track(client);
      if (mode === 'silent') return;
      const upstream = net.connect(targetPort, '127.0.0.1');
      track(upstream);
      upstream.on('close', () => client.destroy());
      client.on('close', () => upstream.destroy());
      client.pipe(upstream).pipe(client);
    });
  server = makeServer();
  const port = await listenOn(server, 0);

  const tearDown = async () => {
    sockets.forEach((s) => s.destroy());
    if (server) {
      const closing = server;
      server = null;
      await new Promise<void>((resolve) => closing.close(() => resolve()));
    }
    if (stopBlackhole) {
      await stopBlackhole();
      stopBlackhole = null;
    }
  };

  return {
    port,
    mode: () => mode,
    connections: () => connections,
    set: async (next) => {
      await tearDown();
      mode = next;
      if (next === 'forward' || next === 'silent') {
        server = makeServer();
        await listenOn(server, port);
      } else if (next === 'blackhole') {
        stopBlackhole = await blackholeOn(port);
      }
    },
    close: tearDown,
  };
}
