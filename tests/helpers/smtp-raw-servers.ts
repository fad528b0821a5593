// Servers that misbehave below SMTP: silent after connect, a scripted plain-text dialogue, a port
// whose SYNs are dropped (a blocked outbound port), and a port nobody listens on.
import net from 'node:net';
import { Worker } from 'node:worker_threads';

export type RawServer = { port: number; connections: () => number; close: () => Promise<void> };

async function listen(server: net.Server, backlog?: number): Promise<number> {
  await new Promise<void>((resolve) => server.listen({ port: 0, host: '127.0.0.1', ...(backlog ? { backlog } : {}) }, resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

function tracked(server: net.Server, port: number, counter: () => number, sockets: Set<net.Socket>): RawServer {
  return {
    port,
    connections: counter,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Accepts the connection and never says a word (a hung server, or a proxy that swallows SMTP). */
export async function startSilentServer(): Promise<RawServer> {
  let count = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    count += 1;
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  return tracked(server, await listen(server), () => count, sockets);
}

/**
 * Plain-text SMTP with canned replies by command verb (EHLO, HELO, AUTH, MAIL, …): for servers the
 * smtp-server package cannot imitate, such as one that lists AUTH only after STARTTLS.
 */
export async function startScriptedServer(script: { greeting?: string; replies: Record<string, string> }): Promise<RawServer & { commands: string[] }> {
  let count = 0;
  const commands: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    count += 1;
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    socket.write(`${script.greeting ?? '220 scripted.relaydesk.test ESMTP'}\r\n`);
    let buffered = '';
    socket.on('data', (chunk) => {
      buffered += chunk.toString('utf8');
      let newline: number;
      while ((newline = buffered.indexOf('\r\n')) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 2);
        commands.push(line);
        const verb = line.split(/[\s:]/)[0]!.toUpperCase();
        socket.write(`${script.replies[verb] ?? '502 5.5.2 Error: command not recognized'}\r\n`);
        if (verb === 'QUIT') socket.end();
      }
    });
  });
  return { ...tracked(server, await listen(server), () => count, sockets), commands };
}

/**
 * A port where the TCP handshake never completes, like an outbound port a firewall drops: a
 * listener with a backlog of 1 whose thread is blocked, so it never accepts; two filler
 * connections fill the queue and the kernel drops every further SYN.
 */
export async function startBlackholePort(): Promise<{ port: number; close: () => Promise<void> }> {
  const gate = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(
    `const net = require('node:net');
     const { parentPort, workerData } = require('node:worker_threads');
     const server = net.createServer();
     server.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
       parentPort.postMessage(server.address().port);
       Atomics.wait(workerData, 0, 0);
       server.close();
       parentPort.postMessage('closed');
     });`,
    { eval: true, workerData: gate },
  );
  const port = await new Promise<number>((resolve) => worker.once('message', resolve));
  const fillers = [0, 1, 2].map(() => net.connect(port, '127.0.0.1').on('error', () => {}));
  await new Promise((resolve) => setTimeout(resolve, 50));
  return {
    port,
    close: async () => {
      for (const filler of fillers) filler.destroy();
      Atomics.store(gate, 0, 1);
      Atomics.notify(gate, 0);
      await worker.terminate();
    },
  };
}

/** A port that was just free: connecting to it is refused. */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  const port = await listen(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * A hostile server that never ends a reply: at connect (an endless multi-line greeting) or in answer
 * to the first command (endless EHLO), written as fast as the client reads (backpressure, so the
 * test's own memory stays flat). bytes() says how much it managed to send.
 */
export async function startFloodingServer(at: 'greeting' | 'ehlo' = 'greeting', code = at === 'greeting' ? '220' : '250'): Promise<RawServer & { bytes: () => number }> {
  let count = 0;
  let bytes = 0;
  const sockets = new Set<net.Socket>();
  const chunk = Buffer.from(`${code}-${'flood '.repeat(12)}\r\n`.repeat(512));
  const server = net.createServer((socket) => {
    count += 1;
    sockets.add(socket);
    let open = true;
    socket.on('error', () => {});
    socket.on('close', () => {
      open = false;
      sockets.delete(socket);
    });
    const flood = () => {
      while (open && !socket.destroyed) {
        bytes += chunk.length;
        if (!socket.write(chunk)) return void socket.once('drain', flood);
      }
    };
    if (at === 'greeting') return flood();
    socket.write('220 flood.relaydesk.test ESMTP\r\n');
    socket.once('data', flood);
  });
  return { ...tracked(server, await listen(server), () => count, sockets), bytes: () => bytes };
}
