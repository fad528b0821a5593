import 'server-only';
import net from 'node:net';
import tls from 'node:tls';
import { StringDecoder } from 'node:string_decoder';
import { IoFailure, type SmtpReply } from './probe-errors';
import { omittedLinesMarker, PROBE_REPLY_KEEP_LINES, RUN_TRANSCRIPT_BUDGET_BYTES } from './text-budget';

// A deliberately small SMTP line client. nodemailer's SMTPConnection runs the whole conversation as
// one call; the probe needs each command, each reply and each wait on its own to time and diagnose
// it, so this client does exactly one thing per call and never decides what comes next.

export type Recorder = (dir: 'C' | 'S' | '*', text: string) => void;

/** A reply line longer than this is not SMTP (RFC 5321 allows 512); refuse to buffer more. */
const MAX_LINE = 8192;
const REPLY_LINE = /^(\d{3})([ -]|$)(.*)$/;

type Waiter = { resolve: (reply: SmtpReply) => void; reject: (error: IoFailure) => void };

export type SmtpClientOptions = {
  /** Bytes the server may send over the whole conversation; past it the client stops reading (issue 11). */
  receiveBudgetBytes?: number;
  /** Lines of one reply kept (head and tail); the middle is counted, not kept. */
  keepLines?: number;
};

/** Waits for promise for at most ms, and not past signal; the loser is turned into an IoFailure. */
export function within<T>(promise: Promise<T>, ms: number, signal: AbortSignal | undefined, what: string): Promise<T> {
  if (signal?.aborted) return Promise.reject(new IoFailure('aborted', 'Cancelled'));
  if (ms <= 0) return Promise.reject(new IoFailure('timeout', `Timed out waiting for ${what}`));
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => finish(() => reject(new IoFailure('timeout', `No answer within ${ms} ms while waiting for ${what}`))), ms);
    const onAbort = () => finish(() => reject(new IoFailure('aborted', 'Cancelled')));
    signal?.addEventListener('abort', onAbort, { once: true });
    function finish(settle: () => void) {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      settle();
    }
    promise.then(
      (value) => finish(() => resolve(value)),
      (error: unknown) => finish(() => reject(error)),
    );
  });
}

function socketFailure(error: NodeJS.ErrnoException): IoFailure {
  return new IoFailure('socket', error.message, error.code);
}

/** Opens a TCP connection to an IP literal (the guard's checked address: no resolver involved). */
export function openSocket(address: string, port: number, ms: number, signal?: AbortSignal): Promise<net.Socket> {
  const socket = net.connect({ host: address, port });
  const connected = new Promise<net.Socket>((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('error', (error) => reject(socketFailure(error)));
  });
  return within(connected, ms, signal, 'the TCP connection').catch((error: unknown) => {
    socket.destroy();
    throw error;
  });
}

export class SmtpClient {
  private socket: net.Socket;
  private decoder = new StringDecoder('utf8');
  private partial = '';
  // One reply being read: its first lines as they came, its last ones in a short window, and how many
  // fell out between. A server that never ends a reply costs a bounded amount of memory.
  private replyHead: string[] = [];
  private replyTail: string[] = [];
  private omitted = 0;
  private replies: SmtpReply[] = [];
  private waiter: Waiter | null = null;
  private failure: IoFailure | null = null;
  private sawBytes = false;
  private received = 0;
  private readonly receiveBudget: number;
  private readonly headLines: number;
  private readonly tailLines: number;

  constructor(
    socket: net.Socket,
    private readonly record: Recorder,
    options: SmtpClientOptions = {},
  ) {
    this.socket = socket;
    this.receiveBudget = options.receiveBudgetBytes ?? RUN_TRANSCRIPT_BUDGET_BYTES;
    const keep = options.keepLines ?? PROBE_REPLY_KEEP_LINES;
    this.headLines = Math.ceil(keep / 2);
    this.tailLines = keep - this.headLines;
    this.attach(socket);
  }

  /** Whether the server has sent anything at all on this connection. */
  get heardFrom(): boolean {
    return this.sawBytes;
  }

  get secure(): boolean {
    return this.socket instanceof tls.TLSSocket;
  }

  get localAddress(): string | undefined {
    return this.socket.localAddress;
  }

  get tlsSocket(): tls.TLSSocket | null {
    return this.socket instanceof tls.TLSSocket ? this.socket : null;
  }

  private readonly onData = (chunk: Buffer) => {
    if (this.failure) return;
    // A TLS record (handshake 0x16 or alert 0x15, version 0x03) where SMTP text should be: the port speaks TLS.
    if (!this.sawBytes && !this.secure && chunk.length >= 2 && (chunk[0] === 0x15 || chunk[0] === 0x16) && chunk[1] === 0x03) {
      this.fail(new IoFailure('tls-data', 'The server answered with TLS data on a plain-text connection'));
      return;
    }
    this.sawBytes = true;
    this.received += chunk.length;
    if (this.received > this.receiveBudget) {
      // Stop reading now: waiting for the deadline would keep a flooding server's bytes coming.
      this.fail(new IoFailure('unbounded', `The server sent more than ${this.receiveBudget.toLocaleString('en-US')} bytes without ending its replies; stopped reading`));
      return;
    }
    this.partial += this.decoder.write(chunk);
    let newline: number;
    while (!this.failure && (newline = this.partial.indexOf('\n')) >= 0) {
      const line = this.partial.slice(0, newline).replace(/\r$/, '');
      this.partial = this.partial.slice(newline + 1);
      this.takeLine(line);
    }
    if (this.partial.length > MAX_LINE) this.fail(new IoFailure('protocol', 'The server sent an over-long line'));
  };

  private readonly onClose = () => this.fail(new IoFailure('closed', 'The server closed the connection'));
  private readonly onError = (error: NodeJS.ErrnoException) => this.fail(socketFailure(error));

  private attach(socket: net.Socket) {
    socket.on('data', this.onData);
    socket.on('close', this.onClose);
    socket.on('error', this.onError);
  }

  private detach(socket: net.Socket) {
    socket.off('data', this.onData);
    socket.off('close', this.onClose);
    socket.off('error', this.onError);
  }

  /** Records the kept tail of the reply being read, after a marker for what was left out. */
  private flushTail() {
    if (this.omitted > 0) this.record('S', omittedLinesMarker(this.omitted));
    for (const line of this.replyTail) this.record('S', line);
  }

  private takeLine(line: string) {
    const match = REPLY_LINE.exec(line);
    if (!match) {
      this.flushTail();
      this.record('S', line);
      this.fail(new IoFailure('protocol', `The server sent a line that is not an SMTP reply: ${line.slice(0, 80)}`));
      return;
    }
    if (this.replyHead.length < this.headLines) {
      this.replyHead.push(line);
      this.record('S', line);
    } else {
      this.replyTail.push(line);
      if (this.replyTail.length > this.tailLines) {
        this.replyTail.shift();
        this.omitted += 1;
      }
    }
    if (match[2] === '-') return;
    this.flushTail();
    const kept = [...this.replyHead, ...this.replyTail];
    const reply: SmtpReply = {
      code: Number(match[1]),
      lines: kept.map((l) => l.slice(4)),
      raw: this.omitted > 0 ? [...this.replyHead, omittedLinesMarker(this.omitted), ...this.replyTail].join('\n') : kept.join('\n'),
    };
    this.replyHead = [];
    this.replyTail = [];
    this.omitted = 0;
    if (this.waiter) {
      const { resolve } = this.waiter;
      this.waiter = null;
      resolve(reply);
    } else {
      this.replies.push(reply);
    }
  }

  private fail(error: IoFailure) {
    if (this.failure) return;
    this.failure = error;
    // What a half-read reply ended with belongs in the transcript (the head is there already).
    this.flushTail();
    this.replyHead = [];
    this.replyTail = [];
    this.omitted = 0;
    this.socket.destroy();
    if (this.waiter) {
      const { reject } = this.waiter;
      this.waiter = null;
      reject(error);
    }
  }

  /** The next complete (possibly multi-line) reply. */
  readReply(ms: number, signal?: AbortSignal): Promise<SmtpReply> {
    const queued = this.replies.shift();
    if (queued) return Promise.resolve(queued);
    if (this.failure) return Promise.reject(this.failure);
    const next = new Promise<SmtpReply>((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
    return within(next, ms, signal, 'the server').finally(() => {
      this.waiter = null;
    });
  }

  /** Sends one command line. shown is what the transcript records instead (for AUTH payloads). */
  send(line: string, shown: string = line): void {
    this.sendAll([line], [shown]);
  }

  /** Several command lines in one write, for a server that offers PIPELINING (RFC 2920); their replies are read in order. */
  sendAll(lines: string[], shown: string[] = lines): void {
    // A CR or LF inside a value would let a field smuggle a second SMTP command.
    if (lines.some((line) => /[\r\n\0]/.test(line))) throw new IoFailure('protocol', 'Refusing to send a line with CR, LF or NUL in it');
    if (this.failure) throw this.failure;
    for (const line of shown) this.record('C', line);
    this.socket.write(lines.map((line) => `${line}\r\n`).join(''));
  }

  async command(line: string, ms: number, signal?: AbortSignal, shown?: string): Promise<SmtpReply> {
    this.send(line, shown);
    return this.readReply(ms, signal);
  }

  /** DATA payload: dot-stuffed (RFC 5321 4.5.2), CRLF-terminated, then the lone dot. */
  async sendMessage(raw: Buffer, ms: number, signal?: AbortSignal): Promise<SmtpReply> {
    if (this.failure) throw this.failure;
    let text = raw.toString('latin1').replace(/\r?\n/g, '\r\n');
    if (!text.endsWith('\r\n')) text += '\r\n';
    text = text.replace(/(^|\n)\./g, '$1..');
    this.record('*', `message: ${raw.length} bytes`);
    this.record('C', '.');
    this.socket.write(Buffer.from(`${text}.\r\n`, 'latin1'));
    return this.readReply(ms, signal);
  }

  /**
   * Hands the socket to TLS (STARTTLS or implicit TLS). Anything the server sent before the
   * handshake is thrown away: text injected ahead of TLS must never be read as a protected reply.
   */
  async startTls(options: tls.ConnectionOptions, ms: number, signal?: AbortSignal): Promise<tls.TLSSocket> {
    if (this.failure) throw this.failure;
    const plain = this.socket;
    this.detach(plain);
    // Errors of the wrapped socket surface on the TLS socket; this only keeps them from being unhandled.
    plain.on('error', () => {});
    this.partial = '';
    this.replyHead = [];
    this.replyTail = [];
    this.omitted = 0;
    this.replies = [];
    const secure = tls.connect({ ...options, socket: plain });
    const handshake = new Promise<tls.TLSSocket>((resolve, reject) => {
      secure.once('secureConnect', () => resolve(secure));
      secure.once('error', (error) => reject(socketFailure(error)));
      secure.once('close', () => reject(new IoFailure('closed', 'The server closed the connection during the TLS handshake')));
    });
    try {
      await within(handshake, ms, signal, 'the TLS handshake');
    } catch (error) {
      secure.destroy();
      plain.destroy();
      this.failure = error instanceof IoFailure ? error : new IoFailure('socket', String(error));
      throw error;
    }
    this.socket = secure;
    this.decoder = new StringDecoder('utf8');
    this.attach(secure);
    return secure;
  }

  get open(): boolean {
    return !this.failure && !this.socket.destroyed;
  }

  close(): void {
    // A wait still pending (the greeting a TLS question overtook) ends now, and its timer with it.
    if (this.waiter) {
      const { reject } = this.waiter;
      this.waiter = null;
      reject(new IoFailure('closed', 'Connection closed by Relaydesk'));
    }
    this.detach(this.socket);
    this.socket.on('error', () => {});
    this.socket.destroy();
  }
}
