// The body of POST /api/v1/tenants/{slug}/notifications. Messages are catalog keys (fields.errors.*).
import { z } from 'zod';
import { emailProblem } from '@/lib/smtp-request-schema';

export const NOTIFICATION_KINDS = [
  'mention',
  'issue_comment',
  'issue_assigned',
  'pull_request_review',
  'pull_request_comment',
  'review_requested',
  'push',
  'release',
  'security_alert',
  'ci_activity',
  'other',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export const MAX_RECIPIENTS = 50;
export const MAX_SUBJECT = 998;
export const MAX_TEXT_BYTES = 200 * 1024;
export const MAX_HTML_BYTES = 500 * 1024;
/** Text and HTML at their limits, JSON-escaped, plus the rest. */
export const MAX_NOTIFICATION_BODY_BYTES = 2 * 1024 * 1024;
export const MAX_BATCH = 500;
/** A batch is many notifications of ordinary size, not 500 at their limits (a 30 MB body is refused early). */
export const MAX_BATCH_BODY_BYTES = 16 * 1024 * 1024;
export const MAX_IDEMPOTENCY_KEY = 128;
export const IDEMPOTENCY_WINDOW_MS = 7 * 24 * 3600 * 1000;

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
const CONTROL = /[\u0000-\u001f\u007f]/;

const recipient = z.string({ message: 'required' }).superRefine((v, ctx) => {
  if (CONTROL.test(v)) return ctx.addIssue({ code: 'custom', message: 'controlCharacters' });
  const problem = emailProblem(v);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

export const NotificationSchema = z
  .object({
    to: z.array(recipient, { message: 'required' }).min(1, 'required').max(MAX_RECIPIENTS, 'tooLong'),
    subject: z
      .string({ message: 'required' })
      .min(1, 'required')
      .max(MAX_SUBJECT, 'tooLong')
      .refine((v) => !CONTROL.test(v.replace(/\t/g, ' ')), 'controlCharacters'),
    text: z
      .string({ message: 'required' })
      .refine((v) => bytes(v) <= MAX_TEXT_BYTES, 'tooLong')
      .refine((v) => !v.includes('\u0000'), 'controlCharacters'),
    html: z
      .string()
      .refine((v) => bytes(v) <= MAX_HTML_BYTES, 'tooLong')
      .refine((v) => !v.includes('\u0000'), 'controlCharacters')
      .optional(),
    kind: z.enum(NOTIFICATION_KINDS, { message: 'choose' }),
    threadId: z
      .string()
      .min(1, 'required')
      .max(200, 'tooLong')
      .refine((v) => !CONTROL.test(v), 'controlCharacters')
      .optional(),
    /** The caller's name for this notification: a repeat within IDEMPOTENCY_WINDOW_MS enqueues nothing. */
    idempotencyKey: z
      .string()
      .min(1, 'required')
      .max(MAX_IDEMPOTENCY_KEY, 'tooLong')
      .refine((v) => !CONTROL.test(v), 'controlCharacters')
      .optional(),
  })
  .strict();
export type NotificationInput = z.input<typeof NotificationSchema>;
export type NotificationData = z.output<typeof NotificationSchema>;

/** Many notifications in one call: validated all or nothing, stored in one transaction. */
export const NotificationBatchSchema = z.object({ notifications: z.array(NotificationSchema, { message: 'required' }).min(1, 'required').max(MAX_BATCH, 'tooLong') }).strict();

/** One notification, or `{ notifications: [...] }`. */
export const NotificationIntakeSchema = z.union([NotificationBatchSchema, NotificationSchema]);

/** One stored notification (or, for a repeated idempotency key, the original): what intake answers. */
export const EnqueuedSchema = z.object({ id: z.string(), messageId: z.string() });
export const IntakeAnswerSchema = z.union([EnqueuedSchema, z.object({ items: z.array(EnqueuedSchema) })]);
