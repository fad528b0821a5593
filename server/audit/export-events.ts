import 'server-only';
// Export of the current filter, oldest first, streamed page by page: memory stays flat for a million events.
import { db } from '../db';
import type { CurrentUser, RequestMeta } from '../auth/current-user';
import { requirePermission } from '../authz/scopes';
import { AppError } from '../app-error';
import { recordEvent } from './record-event';
import { actorOf } from './actor';
import { auditWhere, parseAuditQuery, withSeq } from './audit-query';
import { targetLabels, tenantSlugs, toAuditEventView, type AuditEventView } from './list-events';

const PAGE = 1000;
const COLUMNS = [
  'seq',
  'at',
  'actorType',
  'actor',
  'tenant',
  'action',
  'targetType',
  'targetId',
  'before',
  'after',
  'ip',
  'userAgent',
  'requestId',
  'prevHash',
  'hash',
  'targetLabel',
] as const;

// Spreadsheet programs run cells that start with = + - @ as formulas (OWASP "CSV injection"): such cells
// get a leading apostrophe. JSON Lines is the exact export.
function csvCell(value: unknown): string {
  let text = value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(e: AuditEventView): string {
  return `${COLUMNS.map((c) => csvCell(e[c])).join(',')}\r\n`;
}

export async function exportAuditEvents(user: CurrentUser, input: Record<string, string | undefined>, meta?: RequestMeta) {
  requirePermission(user, 'audit.read');
  const format = input.format ?? 'jsonl';
  if (format !== 'csv' && format !== 'jsonl') {
    throw new AppError('VALIDATION_FAILED', 'format is csv or jsonl.', { errors: [{ path: 'format', message: 'choose' }] });
  }
  const { format: _f, ...filter } = input;
  const q = parseAuditQuery(filter);
  const where = await auditWhere(q);
  // The export itself is an audited action.
  await db.$transaction((tx) => recordEvent(tx, actorOf(user, meta), { action: 'audit.exported', targetType: 'audit', after: { format, filter: q } }));
  const slugOf = await tenantSlugs();
  const encoder = new TextEncoder();
  let after = 0;
  let headerSent = false;
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (format === 'csv' && !headerSent) {
        headerSent = true;
        // A byte order mark first: without it spreadsheet programs read UTF-8 as the local code page (Chinese turns to mojibake).
        controller.enqueue(encoder.encode(`\uFEFF${COLUMNS.join(',')}\r\n`));
      }
      const rows = await db.auditEvent.findMany({ where: withSeq(where, { gt: after }), orderBy: { seq: 'asc' }, take: PAGE });
      if (rows.length === 0) return controller.close();
      after = rows[rows.length - 1]!.seq;
      const labelOf = await targetLabels(rows);
      const text = rows
        .map((r) => toAuditEventView(r, slugOf, labelOf))
        .map((e) => (format === 'csv' ? csvLine(e) : `${JSON.stringify(e)}\n`))
        .join('');
      controller.enqueue(encoder.encode(text));
    },
  });
  const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
  return {
    stream,
    contentType: format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
    filename: `relaydesk-audit-${stamp}.${format}`,
  };
}
