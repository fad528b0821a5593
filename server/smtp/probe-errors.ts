import 'server-only';
import type { ConfigField, Diagnosis } from './types';

export type SmtpReply = {
  code: number;
  /** Each line without the "250-" prefix. */
  lines: string[];
  /** The reply as the server sent it, lines joined with \n. */
  raw: string;
};

/** unbounded: the server kept sending past the run's transcript budget (issue 11). */
export type IoFailureKind = 'timeout' | 'closed' | 'aborted' | 'socket' | 'protocol' | 'tls-data' | 'unbounded';

/** A socket-level failure: the server did not answer, hung up, or sent something that is not SMTP. */
export class IoFailure extends Error {
  constructor(
    readonly kind: IoFailureKind,
    message: string,
    /** The Node error code (ECONNREFUSED, ERR_SSL_WRONG_VERSION_NUMBER, …) when there is one. */
    readonly errno?: string,
  ) {
    super(message);
    this.name = 'IoFailure';
  }
}

/** The server answered, but not with what the conversation needs at this step. */
export class ReplyFailure extends Error {
  constructor(readonly reply: SmtpReply) {
    super(`Unexpected reply: ${reply.raw}`);
    this.name = 'ReplyFailure';
  }
}

/** A failure the probe already understands (missing capability, bad certificate): no guessing needed. */
export class DiagnosedFailure extends Error {
  readonly diagnosis: Diagnosis | null;
  readonly field: ConfigField | null;

  constructor({ hint, field }: { hint: Diagnosis | null; field: ConfigField | null }, message: string) {
    super(message);
    this.name = 'DiagnosedFailure';
    this.diagnosis = hint;
    this.field = field;
  }
}
