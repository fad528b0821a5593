import 'server-only';
import https from 'node:https';
import tls from 'node:tls';
import { checkDestination, type CheckedDestination, type LookupFn } from '../smtp/destination-guard';
import { IoFailure } from '../smtp/probe-errors';
import { within } from '../smtp/smtp-client';

// A token request is an outbound connection to a customer-supplied (generic) or overridable host, so it
// goes through the same guard as SMTP: resolve once, public unicast or allow-listed, connect to that
// address with SNI and the certificate checked on the original name. Port 443 is always allowed (it is
// what identity providers use); others only when in SMTP_ALLOWED_PORTS or an allow-list entry.

export type GuardOptions = {
  allowedHosts: string[];
  allowedPorts: number[];
  lookup?: LookupFn;
  trustedCa?: string[];
  signal?: AbortSignal;
};

export type FormResponse = { status: number; contentType: string; body: string; destination: CheckedDestination };

/** Identity providers answer in a few KiB; more than this is not a token response. */
export const MAX_RESPONSE_BYTES = 64 * 1024;

/** Reused per set of extra roots, like the probe's TLS contexts. */
const contexts = new Map<string, tls.SecureContext>();
function caContext(extra: string[] | undefined): tls.SecureContext | undefined {
  if (!extra?.length) return undefined;
  const key = extra.join('\n');
  let context = contexts.get(key);
  if (!context) {
    context = tls.createSecureContext({ ca: [...tls.rootCertificates, ...extra] });
    if (contexts.size >= 16) contexts.clear();
    contexts.set(key, context);
  }
  return context;
}

export async function checkTokenDestination(url: URL, options: GuardOptions): Promise<CheckedDestination> {
  const port = Number(url.port || 443);
  const allowedPorts = options.allowedPorts.includes(443) ? options.allowedPorts : [...options.allowedPorts, 443];
  return checkDestination(url.hostname, port, { allowedHosts: options.allowedHosts, allowedPorts, lookup: options.lookup });
}

/**
 * POSTs an application/x-www-form-urlencoded body to a checked destination and reads the answer
 * (at most MAX_RESPONSE_BYTES, within ms). Redirects are answers, never followed.
 */
export function postForm(
  url: URL,
  destination: CheckedDestination,
  form: URLSearchParams,
  headers: Record<string, string>,
  ms: number,
  options: GuardOptions,
): Promise<FormResponse> {
  const port = Number(url.port || 443);
  const context = caContext(options.trustedCa);
  const body = form.toString();
  const request = https.request({
    host: destination.address,
    port,
    method: 'POST',
    path: url.pathname,
    agent: false,
    ...(destination.servername ? { servername: destination.servername } : {}),
    // Node checks the certificate against servername (or, for an IP literal, the address).
    checkServerIdentity: (_host, cert) => tls.checkServerIdentity(destination.servername || destination.address, cert),
    ...(context ? { secureContext: context } : {}),
    headers: {
      host: url.host,
      'content-type': 'application/x-www-form-urlencoded',
      'content-length': String(Buffer.byteLength(body)),
      accept: 'application/json',
      'user-agent': 'Relaydesk',
      ...headers,
    },
  });
  const answered = new Promise<FormResponse>((resolve, reject) => {
    request.once('error', (error: NodeJS.ErrnoException) => reject(new IoFailure('socket', error.message, error.code)));
    request.once('response', (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_RESPONSE_BYTES) {
          request.destroy();
          reject(new IoFailure('protocol', `The answer is larger than ${MAX_RESPONSE_BYTES} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      response.once('error', (error: NodeJS.ErrnoException) => reject(new IoFailure('socket', error.message, error.code)));
      response.once('end', () =>
        resolve({ status: response.statusCode ?? 0, contentType: String(response.headers['content-type'] ?? ''), body: Buffer.concat(chunks).toString('utf8'), destination }),
      );
    });
  });
  request.end(body);
  return within(answered, ms, options.signal, 'the token endpoint').finally(() => request.destroy());
}
