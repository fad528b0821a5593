// The rules of single fields of an SMTP configuration. Messages are catalog keys (messages/<locale>.json, fields.errors).
import { z } from 'zod';
import ipaddr from 'ipaddr.js';

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

export function isIpLiteral(value: string): boolean {
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

export const noControl = (s: z.ZodString) => s.refine((v) => !CONTROL.test(v), { message: 'controlCharacters' });

export const host = noControl(z.string({ message: 'required' }).min(1, 'required')).superRefine((v, ctx) => {
  if (/\s/.test(v)) return ctx.addIssue({ code: 'custom', message: 'whitespace' });
  if (isIpLiteral(v)) return;
  const problem = hostnameProblem(v);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

export const email = noControl(z.string({ message: 'required' }).min(1, 'required')).superRefine((v, ctx) => {
  const problem = emailProblem(v);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

export const heloDomain = noControl(z.string().max(253, 'hostTooLong')).superRefine((v, ctx) => {
  if (v === '' || isIpLiteral(v)) return;
  const problem = hostnameProblem(v);
  if (problem) ctx.addIssue({ code: 'custom', message: problem === 'required' ? 'hostInvalid' : problem });
});

export const supportContact = noControl(z.string().max(2048, 'tooLong')).superRefine((v, ctx) => {
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

export const port = z.coerce
  .number({ message: 'portInvalid' })
  .refine((n) => Number.isInteger(n), 'portInvalid')
  .refine((n) => n >= 1 && n <= 65535, 'portRange');

// Notes never reach SMTP: line breaks are fine, NUL is not.
export const notes = z
  .string()
  .max(4000, 'tooLong')
  .refine((v) => !v.includes('\u0000'), 'controlCharacters');
