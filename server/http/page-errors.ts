import 'server-only';
import { notFound } from 'next/navigation';
import { AppError } from '../app-error';

/** Pages show another tenant's object, or one the role may not see, as "not found" (like the API's 404). */
export async function orNotFound<T>(promise: Promise<T>): Promise<T> {
  try {
    return await promise;
  } catch (error) {
    if (error instanceof AppError && (error.code === 'NOT_FOUND' || error.code === 'FORBIDDEN')) notFound();
    throw error;
  }
}
