import assert from 'node:assert/strict';
import { AppError } from '@/server/app-error';

/** How a call that must be refused fails: its AppError's code and field errors. Fails the test if it succeeds. */
export async function refusal(call: Promise<unknown>): Promise<{ code: string; errors: { path: string; message: string }[] | undefined }> {
  try {
    await call;
  } catch (error) {
    if (error instanceof AppError) return { code: error.code, errors: error.details.errors };
    throw error;
  }
  assert.fail('the call was accepted');
}
