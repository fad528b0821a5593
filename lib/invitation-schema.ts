// The invite form (admin page and a customer admin's members page) and the set-password form of an
// invitation link: one schema each, used by the forms for field errors and by the server again.
import { z } from 'zod';
import { emailProblem } from './smtp-request-schema';
import { NewPassword } from './password-schema';

export const INVITATION_ROLES = ['customer-admin', 'customer-member', 'tam', 'auditor', 'admin'] as const;
export const INVITATION_LOCALES = ['en', 'zh-CN'] as const;
/** How long a link works after it is sent (a resend starts again). */
export const INVITATION_LIFETIME_MS = 72 * 60 * 60 * 1000;

const noControl = (v: string) => !/[\u0000-\u001f\u007f]/.test(v);

export const InvitationSchema = z
  .object({
    email: z
      .string({ message: 'emailInvalid' })
      .trim()
      .toLowerCase()
      .refine((v) => emailProblem(v) === null, 'emailInvalid'),
    name: z.string({ message: 'required' }).trim().min(1, 'required').max(100, 'tooLong').refine(noControl, 'controlCharacters'),
    role: z.enum(INVITATION_ROLES, { message: 'choose' }),
    tenant: z.string().trim().optional(),
    locale: z.enum(INVITATION_LOCALES, { message: 'choose' }),
  })
  .superRefine((v, ctx) => {
    const customer = v.role === 'customer-admin' || v.role === 'customer-member';
    if (customer && !v.tenant) ctx.addIssue({ code: 'custom', path: ['tenant'], message: 'tenantRequired' });
    if (!customer && v.tenant) ctx.addIssue({ code: 'custom', path: ['tenant'], message: 'tenantNotAllowed' });
  });
export type InvitationInput = z.input<typeof InvitationSchema>;

export const AcceptInvitationSchema = z
  .object({
    password: NewPassword,
    confirm: z.string(),
  })
  .refine((v) => v.password === v.confirm, { path: ['confirm'], message: 'passwordsDiffer' });
export type AcceptInvitationInput = z.input<typeof AcceptInvitationSchema>;
