// The rule for a new password (admin-created accounts and a user's own change) and the change form's
// schema, shared by the profile form and the server.
import { z } from 'zod';

export const NewPassword = z.string().min(10, 'passwordTooShort').max(200, 'tooLong');

export const PasswordChangeSchema = z
  .object({
    current: z.string().min(1, 'required'),
    next: NewPassword,
    confirm: z.string(),
  })
  .refine((v) => v.next === v.confirm, { path: ['confirm'], message: 'passwordsDiffer' });
