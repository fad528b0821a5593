// What a remote server says is stored, shown and exported: it must stay small whatever the server sends.
// One rule for the probe and the pipeline: a reply keeps its first and last lines, the middle is replaced
// by a visible marker, and a whole live check has a total budget (issue 11, decision 012).

/** Total bytes of transcript one live check may keep. */
export const RUN_TRANSCRIPT_BUDGET_BYTES = 256 * 1024;
/** Lines of one reply kept as they are; longer replies keep their head and tail. */
export const REPLY_KEEP_LINES = 12;
/** Characters of one reply kept as they are; a longer one keeps its head and tail. */
export const REPLY_KEEP_CHARS = 4_000;
/**
 * Lines of one reply a live check keeps (head and tail). Larger than REPLY_KEEP_LINES because the probe
 * parses capabilities from the EHLO reply, and Exchange lists 15 of them: no real reply comes near 32.
 */
export const PROBE_REPLY_KEEP_LINES = 32;
/** Characters of one transcript line kept as they are (RFC 5321 allows 512). */
export const TRANSCRIPT_LINE_KEEP_CHARS = 1_000;

export function omittedLinesMarker(count: number): string {
  return `… ${count.toLocaleString('en-US')} ${count === 1 ? 'line' : 'lines'} omitted …`;
}

export function omittedCharsMarker(count: number): string {
  return `… ${count.toLocaleString('en-US')} characters omitted …`;
}

/** Shortens a reply in the middle, with a marker saying how much was left out. */
export function shortenReply(text: string, keepLines = REPLY_KEEP_LINES, keepChars = REPLY_KEEP_CHARS): string {
  let out = text;
  const lines = out.split('\n');
  if (lines.length > keepLines) {
    const head = Math.ceil(keepLines / 2);
    const tail = keepLines - head;
    out = [...lines.slice(0, head), omittedLinesMarker(lines.length - keepLines), ...lines.slice(lines.length - tail)].join('\n');
  }
  if (out.length > keepChars) {
    const half = Math.floor(keepChars / 2);
    out = `${out.slice(0, half)}${omittedCharsMarker(out.length - 2 * half)}${out.slice(out.length - half)}`;
  }
  return out;
}
