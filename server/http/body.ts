import 'server-only';
// The one way a route reads a request body: refused on a declared Content-Length over the limit before a
// byte is read, and otherwise read only until the limit is passed — the rest is never buffered.
import { AppError } from '../app-error';

export const MAX_JSON_BODY_BYTES = 64 * 1024;

function tooLarge(maxBytes: number): AppError {
  return new AppError('PAYLOAD_TOO_LARGE', `The body is larger than ${maxBytes} bytes.`);
}

/** The media type alone (`application/json; charset=utf-8` → `application/json`), lower-cased. */
export function mediaType(contentType: string | null): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

async function refuseDeclaredOverLimit(request: Request, maxBytes: number): Promise<void> {
  const declared = request.headers.get('content-length');
  if (declared === null || !(Number(declared) > maxBytes)) return;
  await request.body?.cancel().catch(() => {});
  throw tooLarge(maxBytes);
}

/** The raw body, at most maxBytes of it; a longer body is PAYLOAD_TOO_LARGE and its reading is cancelled. */
export async function readBodyBytes(request: Request, maxBytes: number): Promise<Buffer> {
  await refuseDeclaredOverLimit(request, maxBytes);
  if (!request.body) return Buffer.alloc(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/**
 * A JSON body: Content-Type application/json exactly (parameters such as charset allowed), at most
 * maxBytes. With `optional`, an empty body (with or without a content type) reads as undefined.
 */
export async function readJsonBody(request: Request, { maxBytes = MAX_JSON_BODY_BYTES, optional = false } = {}): Promise<unknown> {
  await refuseDeclaredOverLimit(request, maxBytes);
  const type = mediaType(request.headers.get('content-type'));
  if (type !== 'application/json' && !(optional && type === '')) {
    await request.body?.cancel().catch(() => {});
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send a JSON body with Content-Type: application/json.');
  }
  const bytes = await readBodyBytes(request, maxBytes);
  const text = bytes.toString('utf8');
  if (optional && text.trim() === '') return undefined;
  if (type !== 'application/json') throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send a JSON body with Content-Type: application/json.');
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError('BAD_REQUEST', 'The body is not valid JSON.');
  }
}
