import { z } from 'zod';
import { emailProblem } from '@/lib/smtp-request-schema';
import { NewPassword } from '@/lib/password-schema';
import { ROLES } from '../auth/roles';

export const TenantSchema = z.object({
  slug: z.string().regex(/^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/, 'slugInvalid'),
  name: z
    .string()
    .trim()
    .min(1, 'required')
    .max(100, 'tooLong')
    .refine((v) => !/[\u0000-\u001f\u007f]/.test(v), 'controlCharacters'),
});

export const UserSchema = z
  .object({
    email: z
      .string()
      .trim()
      .toLowerCase()
      .refine((v) => emailProblem(v) === null, 'emailInvalid'),
    name: z
      .string()
      .trim()
      .min(1, 'required')
      .max(100, 'tooLong')
      .refine((v) => !/[\u0000-\u001f\u007f]/.test(v), 'controlCharacters'),
    password: NewPassword,
    role: z.enum(ROLES, { message: 'choose' }),
    tenant: z.string().optional(),
  })
  .superRefine((v, ctx) => {
    const customer = v.role === 'customer-admin' || v.role === 'customer-member';
    if (customer && !v.tenant) ctx.addIssue({ code: 'custom', path: ['tenant'], message: 'tenantRequired' });
    if (!customer && v.tenant) ctx.addIssue({ code: 'custom', path: ['tenant'], message: 'tenantNotAllowed' });
  });
export type UserInput = z.input<typeof UserSchema>;
