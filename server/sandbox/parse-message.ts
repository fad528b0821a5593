import 'server-only';

// Just enough MIME for the sandbox inbox: the headers a TAM checks (decoded RFC 2047 words) and the
// first text/plain body. The raw source is always kept and shown too, so nothing is hidden by a
// simplification here.

export type Header = { name: string; value: string };

export type MessageSummary = { headerFrom: string; headerTo: string; subject: string; messageId: string | null };

function splitHead(raw: string): { head: string; body: string } {
  const match = /\r?\n\r?\n/.exec(raw);
  if (!match) return { head: raw, body: '' };
  return { head: raw.slice(0, match.index), body: raw.slice(match.index + match[0].length) };
}

function decodeBytes(bytes: Uint8Array, charset: string): string {
  try {
    return new TextDecoder(charset || 'utf-8').decode(bytes);
  } catch {
    return new TextDecoder('utf-8').decode(bytes);
  }
}

function decodeQuotedPrintable(text: string, underscoreIsSpace: boolean): Uint8Array {
  const source = (underscoreIsSpace ? text.replace(/_/g, ' ') : text).replace(/=\r?\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < source.length; i++) {
    const hex = source[i] === '=' ? source.slice(i + 1, i + 3) : '';
    if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(source[i]!, 'utf8'));
    }
  }
  return Uint8Array.from(bytes);
}

/** RFC 2047 encoded words (=?charset?B|Q?…?=); whitespace between adjacent words is dropped. */
export function decodeWords(value: string): string {
  return value
    .replace(/(=\?[^?\s]+\?[BbQq]\?[^?\s]*\?=)\s+(?==\?[^?\s]+\?[BbQq]\?)/g, '$1')
    .replace(/=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=/g, (_all, charset: string, encoding: string, text: string) => {
      const bytes = encoding.toUpperCase() === 'B' ? Buffer.from(text, 'base64') : decodeQuotedPrintable(text, true);
      return decodeBytes(bytes, charset.split('*')[0]!);
    });
}

/** Unfolded headers in order, values decoded. */
export function parseHeaders(raw: string): Header[] {
  const { head } = splitHead(raw);
  const headers: Header[] = [];
  for (const line of head.split(/\r?\n/)) {
    const last = headers.at(-1);
    if (/^[ \t]/.test(line) && last) {
      last.value += ` ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon > 0) headers.push({ name: line.slice(0, colon).trim(), value: line.slice(colon + 1).trim() });
  }
  return headers.map((h) => ({ name: h.name, value: decodeWords(h.value) }));
}

function headerOf(headers: Header[], name: string): string | undefined {
  return headers.find((h) => h.name.toLowerCase() === name)?.value;
}

export function summarizeMessage(raw: string): MessageSummary {
  const headers = parseHeaders(raw);
  return {
    headerFrom: headerOf(headers, 'from') ?? '',
    headerTo: headerOf(headers, 'to') ?? '',
    subject: headerOf(headers, 'subject') ?? '',
    messageId: headerOf(headers, 'message-id') ?? null,
  };
}

function parameter(contentType: string, name: string): string {
  const match = new RegExp(`;\\s*${name}\\s*=\\s*(?:"([^"]*)"|([^;\\s]+))`, 'i').exec(contentType);
  return match?.[1] ?? match?.[2] ?? '';
}

function decodeBody(body: string, encoding: string, charset: string): string {
  switch (encoding.toLowerCase()) {
    case 'base64':
      return decodeBytes(Buffer.from(body.replace(/\s+/g, ''), 'base64'), charset);
    case 'quoted-printable':
      return decodeBytes(decodeQuotedPrintable(body, false), charset);
    default:
      // The raw source is stored as UTF-8 text already (see sandbox-server.ts).
      return body;
  }
}

/** The first text/plain part, decoded; null when the message has none (HTML only, or malformed). */
export function textBody(raw: string, depth = 0): string | null {
  const headers = parseHeaders(raw);
  const { body } = splitHead(raw);
  const contentType = headerOf(headers, 'content-type') ?? 'text/plain; charset=us-ascii';
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  if (type === 'text/plain') {
    return decodeBody(body, headerOf(headers, 'content-transfer-encoding') ?? '7bit', parameter(contentType, 'charset') || 'utf-8');
  }
  const boundary = parameter(contentType, 'boundary');
  if (!type.startsWith('multipart/') || !boundary || depth > 5) return null;
  const parts = body.split(new RegExp(`^--${boundary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?:--)?[ \\t]*\\r?$`, 'm')).slice(1, -1);
  for (const part of parts) {
    const text = textBody(part.replace(/^\r?\n/, ''), depth + 1);
    if (text !== null) return text;
  }
  return null;
}
