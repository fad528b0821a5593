// What a failed send means for the notification: try again later, give up (dead letter), or stop the
// tenant (an authentication or destination problem every message would hit: no retries are burned).
import { AppError } from '../app-error';

export type FailureKind = 'temporary' | 'permanent' | 'pause';
export type Failure = { kind: FailureKind; reply: string };

type MailerError = Error & { code?: string; responseCode?: number; response?: string; command?: string };

const AUTH_CODES = [534, 535];

export function classifyFailure(error: unknown): Failure {
  if (error instanceof AppError) {
    return { kind: error.code === 'DESTINATION_REFUSED' ? 'pause' : 'temporary', reply: error.message };
  }
  const e = (error ?? {}) as MailerError;
  const code = typeof e.responseCode === 'number' ? e.responseCode : null;
  // The server's own words when there are any (a 421 keeps its text); the worker redacts and shortens.
  const reply = e.response || `${e.code ? `${e.code}: ` : ''}${e.message ?? String(error)}`;
  if (code !== null && AUTH_CODES.includes(code)) return { kind: 'pause', reply };
  // nodemailer: no usable credentials or mechanism; a permanent AUTH answer. (454 is "try later".)
  if (e.code === 'EAUTH' && (code === null || code >= 500)) return { kind: 'pause', reply };
  if (code !== null && code >= 500) return { kind: 'permanent', reply };
  return { kind: 'temporary', reply };
}
