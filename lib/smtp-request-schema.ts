// The request's schemas for the form and the server. Messages are catalog keys (messages/<locale>.json, fields.errors),
// translated by the UI and by the API's problem details. The configuration fields themselves are defined once,
// in smtp-config-model.ts.
import { z } from 'zod';
import { email } from './smtp-field-rules';

export { hostnameProblem, emailProblem } from './smtp-field-rules';
export {
  ENCRYPTIONS,
  AUTH_METHODS,
  DESTINATION_FIELDS,
  SECRET_FIELDS,
  SmtpRequestSchema,
  SmtpRequestPatchSchema,
  smtpRequestSchema,
  type SmtpRequestInput,
  type SmtpRequestData,
  type SmtpRequestPatch,
} from './smtp-config-model';

/** The form's warning (not an error) for the most common real-world mistake. */
export function portEncryptionWarning(port: number, encryption: string): 'implicitTlsOn587' | 'starttlsOn465' | null {
  if (port === 465 && encryption === 'starttls') return 'starttlsOn465';
  if ((port === 587 || port === 25 || port === 2525) && encryption === 'tls') return 'implicitTlsOn587';
  return null;
}

export const CommentSchema = z
  .object({
    body: z
      .string({ message: 'required' })
      .trim()
      .min(1, 'required')
      .max(10000, 'tooLong')
      .refine((v) => !v.includes('\u0000'), 'controlCharacters'),
    internal: z.boolean().default(false),
  })
  .strict();

export const TRANSITION_TARGETS = ['in_review', 'needs_info', 'rejected', 'withdrawn'] as const;
export const TransitionSchema = z
  .object({
    to: z.enum(TRANSITION_TARGETS, { message: 'choose' }),
    comment: z
      .string()
      .max(10000, 'tooLong')
      .refine((v) => !v.includes('\u0000'), 'controlCharacters')
      .optional(),
  })
  .strict();

export const REQUEST_STATUSES = ['submitted', 'in_review', 'needs_info', 'validated', 'tested', 'applied', 'rejected', 'withdrawn'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

export function fieldErrors(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((i) => ({ path: i.path.map(String).join('.') || '(body)', message: i.message }));
}

export const TestSendSchema = z.object({ to: email.optional() }).strict();

/** Apply's body: force (with a reason, audited) applies over a later failed check or a failing sending domain. */
export const ApplySchema = z
  .object({ force: z.boolean({ message: 'choose' }).optional(), reason: z.string({ message: 'required' }).trim().max(500, 'tooLong').optional() })
  .strict()
  .superRefine((v, ctx) => {
    if (v.force && !v.reason) ctx.addIssue({ code: 'custom', path: ['reason'], message: 'required' });
  });
export type ApplyInput = z.input<typeof ApplySchema>;
