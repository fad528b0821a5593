import 'server-only';
import type { z } from 'zod';
import { AppError } from '../app-error';
import { fieldErrors } from '@/lib/smtp-request-schema';

export function parseOrThrow<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new AppError('VALIDATION_FAILED', 'Invalid input.', { errors: fieldErrors(parsed.error) });
  return parsed.data;
}
