// One schema for the request form and the server. Messages are catalog keys (messages/<locale>/fields.json),
// translated by the UI and by the API's problem details.
import { z } from 'zod';
import ipaddr from 'ipaddr.js';

export const ENCRYPTIONS = ['none', 'starttls', 'tls'] as const;
export const AUTH_METHODS = ['auto', 'plain', 'login', 'cram-md5', 'none'] as const;

// CR, LF, NUL and every other C0/C1 control character, plus DEL.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/i;
const ATOM = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/i;

export function hostnameProblem(value: string): string | null {
  const name = value.endsWith('.') ? value.slice(0, -1) : value;
  if (name.length === 0) return 'required';
  if (name.length > 253) return 'hostTooLong';
  const labels = name.split('.');
  if (labels.some((l) => l.length > 63)) return 'labelTooLong';
  if (!labels.every((l) => LABEL.test(l))) return 'hostInvalid';
  return null;
}

function isIpLiteral(value: string): boolean {
  const bare = value.startsWith('[') && value.endsWith(']') ? value.slice(1, -1) : value;
  return ipaddr.IPv6.isValid(bare) || ipaddr.IPv4.isValidFourPartDecimal(bare);
}

export function emailProblem(value: string): string | null {
  if (value.length > 254) return 'emailTooLong';
  const at = value.lastIndexOf('@');
  if (at <= 0 || at === value.length - 1) return 'emailInvalid';
  const local = value.slice(0, at);
  const domain = value.slice(at + 1);
  if (local.length > 64) return 'localPartTooLong';
  if (!ATOM.test(local)) return 'emailInvalid';
  if (domain.startsWith('[') ? !isIpLiteral(domain) : hostnameProblem(domain) !== null || !domain.includes('.')) return 'emailInvalid';
  return null;
}

const noControl = (s: z.ZodString) => s.refine((v) => !CONTROL.test(v), { message: 'controlCharacters' });

const host = noControl(z.string({ message: 'required' }).min(1, 'required')).superRefine((v, ctx) => {
  if (/\s/.test(v)) return ctx.addIssue({ code: 'custom', message: 'whitespace' });
  if (isIpLiteral(v)) return;
  const problem = hostnameProblem(v);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

const email = noControl(z.string({ message: 'required' }).min(1, 'required')).superRefine((v, ctx) => {
  const problem = emailProblem(v);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

const heloDomain = noControl(z.string().max(253, 'hostTooLong')).superRefine((v, ctx) => {
  if (v === '' || isIpLiteral(v)) return;
  const problem = hostnameProblem(v);
  if (problem) ctx.addIssue({ code: 'custom', message: problem === 'required' ? 'hostInvalid' : problem });
});

const supportContact = noControl(z.string().max(2048, 'tooLong')).superRefine((v, ctx) => {
  if (v === '') return;
  if (/^[a-z][a-z0-9+.-]*:/i.test(v)) {
    let url: URL | null = null;
    try {
      url = new URL(v);
    } catch {
      url = null;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || !url.hostname || /\s/.test(v)) {
      ctx.addIssue({ code: 'custom', message: 'supportContactInvalid' });
    }
    return;
  }
  if (emailProblem(v)) ctx.addIssue({ code: 'custom', message: 'supportContactInvalid' });
});

const port = z.coerce
  .number({ message: 'portInvalid' })
  .refine((n) => Number.isInteger(n), 'portInvalid')
  .refine((n) => n >= 1 && n <= 65535, 'portRange');

const fields = {
  host,
  port,
  encryption: z.enum(ENCRYPTIONS, { message: 'choose' }),
  authMethod: z.enum(AUTH_METHODS, { message: 'choose' }),
  username: noControl(z.string().max(254, 'tooLong')),
  password: noControl(z.string().max(512, 'tooLong')).optional(),
  heloDomain: heloDomain,
  noReplyAddress: email,
  noReplyName: noControl(z.string().max(100, 'tooLong')),
  supportContact: supportContact,
  testRecipient: email,
  // Notes never reach SMTP: line breaks are fine, NUL is not.
  notes: z.string().max(4000, 'tooLong').refine((v) => !v.includes('\u0000'), 'controlCharacters'),
  // The customer accepts that the password crosses the network readable (no TLS on the server).
  plaintextAuthAcknowledged: z.boolean({ message: 'choose' }),
};

type Credentials = { authMethod?: string; username?: string; password?: string };

// Runs even when other fields failed, so the form shows every error at once (the value may be partly invalid).
function requireCredentials(value: Credentials, ctx: z.RefinementCtx) {
  if (typeof value !== 'object' || value === null || value.authMethod === undefined || value.authMethod === 'none') return;
  if (!value.username) ctx.addIssue({ code: 'custom', path: ['username'], message: 'required' });
  if (!value.password) ctx.addIssue({ code: 'custom', path: ['password'], message: 'required' });
}
const ALWAYS = { when: () => true };

export const SmtpRequestSchema = z
  .object({
    ...fields,
    username: fields.username.default(''),
    heloDomain: fields.heloDomain.default(''),
    noReplyName: fields.noReplyName.default(''),
    supportContact: fields.supportContact.default(''),
    notes: fields.notes.default(''),
    plaintextAuthAcknowledged: fields.plaintextAuthAcknowledged.default(false),
  })
  .strict()
  .superRefine((v, ctx) => requireCredentials(v, ctx), ALWAYS);
export type SmtpRequestInput = z.input<typeof SmtpRequestSchema>;
export type SmtpRequestData = z.output<typeof SmtpRequestSchema>;

// A patch names only the fields it changes; the domain checks the merged result (password rules included).
export const SmtpRequestPatchSchema = z.object(fields).partial().strict();
export type SmtpRequestPatch = z.output<typeof SmtpRequestPatchSchema>;

export const DESTINATION_FIELDS = ['host', 'port', 'encryption', 'username'] as const;

/** The form's warning (not an error) for the most common real-world mistake. */
export function portEncryptionWarning(port: number, encryption: string): 'implicitTlsOn587' | 'starttlsOn465' | null {
  if (port === 465 && encryption === 'starttls') return 'starttlsOn465';
  if ((port === 587 || port === 25 || port === 2525) && encryption === 'tls') return 'implicitTlsOn587';
  return null;
}

export const CommentSchema = z
  .object({
    body: z.string({ message: 'required' }).trim().min(1, 'required').max(10000, 'tooLong').refine((v) => !v.includes('\u0000'), 'controlCharacters'),
    internal: z.boolean().default(false),
  })
  .strict();

export const TRANSITION_TARGETS = ['in_review', 'needs_info', 'rejected', 'withdrawn'] as const;
export const TransitionSchema = z
  .object({
    to: z.enum(TRANSITION_TARGETS, { message: 'choose' }),
    comment: z.string().max(10000, 'tooLong').refine((v) => !v.includes('\u0000'), 'controlCharacters').optional(),
  })
  .strict();

export const REQUEST_STATUSES = ['submitted', 'in_review', 'needs_info', 'validated', 'tested', 'applied', 'rejected', 'withdrawn'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

export function fieldErrors(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((i) => ({ path: i.path.map(String).join('.') || '(body)', message: i.message }));
}

export const TestSendSchema = z.object({ to: email.optional() }).strict();
