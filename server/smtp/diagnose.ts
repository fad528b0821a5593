import 'server-only';
import { AppError } from '../app-error';
import { diagnoseBasicAuthOff, diagnoseXOAuth2Reply } from '../oauth/xoauth2-diagnosis';
import { DiagnosedFailure, IoFailure, ReplyFailure, type SmtpReply } from './probe-errors';
import { DIAGNOSIS_PARAMS, type ConfigField, type Diagnosis, type DiagnosisCode, type SmtpConfig, type StepName } from './types';

// Turns a failed step into a plain-language diagnosis (a key of messages/<locale>/diagnoses.json)
// and the request field to change. The patterns are the replies real providers send; they are
// matched on the reply text because enhanced status codes alone do not say which provider spoke.

export type Verdict = { hint: Diagnosis | null; field: ConfigField | null };

export type DiagnoseContext = {
  step: StepName;
  config: SmtpConfig;
  recipient: string;
  /** The server listed AUTH in its last EHLO reply (false when unknown). */
  authOffered?: boolean;
  /** The run authenticated (or tried to). */
  authConfigured?: boolean;
};

export function verdict(code: DiagnosisCode, field: ConfigField | null, params: Diagnosis['params'] = {}): Verdict {
  // A text may use every guaranteed param; an empty one reads better than a formatting error.
  const complete = { ...params };
  for (const key of DIAGNOSIS_PARAMS[code]) complete[key] ??= '';
  return { hint: { code, params: complete }, field };
}

const SENDER_PATTERNS = /SendAsDenied|not verified|sender (address )?(rejected|refused|denied)|not (allowed|authori[sz]ed) to send (as|from|on behalf)|5\.7\.60\b|5\.2\.252\b/i;
const SIZE_PATTERNS = /\b5\.3\.4\b|\b5\.2\.3\b|too (large|big)|exceeds .*size|size (limit|exceeded)/i;
const AUTH_REQUIRED_PATTERNS = /authentication (is )?required|not authenticated|5\.7\.57\b|5\.7\.0 .*auth/i;
// Postfix answers its HELO, client and sender restrictions at RCPT time (smtpd_delay_reject): the
// step says little, the reply text says which restriction spoke. Replies as Postfix 3.7, Exchange,
// Exim, sendmail, qmail and Gmail word them (decision 012 lists each with the field it names).
const RELAY_PATTERNS =
  /relay(ing)? (access )?(is )?(denied|not permitted|prohibited|not allowed)|unable to relay|not permitted to relay|relay not permitted|we do not relay|allowed rcpthosts|\b5\.7\.54\b|\b5\.7\.64\b/i;
const HELO_PATTERNS = /helo command rejected|\b(helo|ehlo)\b[^\n]*\b(rejected|refused|invalid|not accepted)\b/i;
const NOT_OWNED_PATTERNS = /not owned by( user)?/i;
const NOT_LOGGED_IN_PATTERNS = /not logged in/i;
const CLIENT_PATTERNS = /client host rejected|access denied/i;
// Only when the reply blames the username and says nothing about the password.
const UNKNOWN_USER_PATTERNS =
  /\b(unknown|invalid|no such|bad|wrong) (user|username|login|account|mailbox)\b|\b(user|username|account)( name)? (not found|unknown|does not exist|doesn't exist|is invalid)\b|\bno user in db\b/i;

/** The first reply line without its code, for texts that quote the server. */
function quote(reply: SmtpReply): string {
  return reply.raw.split('\n')[0] ?? '';
}

/** Delayed rejections: what the reply text blames, whatever step it came at (MAIL, RCPT, DATA). */
function diagnoseRestriction(reply: SmtpReply, { step, config, recipient, authOffered, authConfigured }: DiagnoseContext): Verdict | null {
  const text = reply.raw;
  const params = { reply: quote(reply), port: config.port };
  if ((step === 'rcpt' || step === 'relay') && RELAY_PATTERNS.test(text)) return verdict('RELAY_DENIED', 'authMethod', { ...params, address: recipient });
  if (HELO_PATTERNS.test(text)) return verdict('HELO_REJECTED', 'heloDomain', params);
  if (NOT_OWNED_PATTERNS.test(text)) {
    return verdict('SENDER_NOT_OWNED', 'noReplyAddress', { ...params, address: config.noReplyAddress, username: config.username });
  }
  if (NOT_LOGGED_IN_PATTERNS.test(text) && !authConfigured) return verdict('AUTH_REQUIRED', 'authMethod', params);
  if (CLIENT_PATTERNS.test(text)) {
    if (authOffered && !authConfigured) return verdict('AUTH_REQUIRED', 'authMethod', params);
    return verdict('CLIENT_REJECTED', null, params);
  }
  return null;
}

export function diagnoseReply(reply: SmtpReply, context: DiagnoseContext): Verdict {
  const { step, config, recipient } = context;
  const text = reply.raw;
  const params = { reply: quote(reply), port: config.port };
  const permanent = reply.code >= 500;

  if (step === 'auth') {
    const oauth = config.authMethod === 'oauth2' ? diagnoseXOAuth2Reply(reply, config) : diagnoseBasicAuthOff(reply, config);
    if (oauth) return oauth;
    if (/\b5\.7\.139\b/.test(text)) return verdict('M365_SMTP_AUTH_DISABLED', null, params);
    if (reply.code === 534 || /\b5\.7\.9\b|application-specific password/i.test(text)) {
      return verdict('GMAIL_APP_PASSWORD', 'password', params);
    }
    if (reply.code === 538 || /STARTTLS/i.test(text)) return verdict('AUTH_ONLY_AFTER_TLS', 'encryption', params);
    if (reply.code === 504) return verdict('AUTH_METHOD_NOT_OFFERED', 'authMethod', { ...params, method: config.authMethod, offered: '' });
    if (permanent && UNKNOWN_USER_PATTERNS.test(text) && !/password/i.test(text)) {
      return verdict('AUTH_USER_UNKNOWN', 'username', { ...params, username: config.username });
    }
    if (permanent) return verdict('AUTH_FAILED', 'password', params);
  }
  if (step === 'greeting' && permanent) return verdict('SERVER_REJECTED', null, { ...params, step });
  if (step === 'ehlo' && permanent) return verdict('HELO_REJECTED', 'heloDomain', params);
  if (step === 'starttls') return verdict('TLS_FAILED', 'encryption', { ...params, reason: quote(reply) });

  if (step === 'mail' || step === 'rcpt' || step === 'relay' || step === 'data') {
    if (reply.code === 552 || SIZE_PATTERNS.test(text)) return verdict('MESSAGE_TOO_LARGE', null, params);
    const restriction = diagnoseRestriction(reply, context);
    if (restriction) return restriction;
    // Relay refusals come as 5.7.x policy replies whatever their wording (5.7.1 above all).
    if (step === 'relay' && permanent && /\b5\.7\.\d{1,3}\b/.test(text)) return verdict('RELAY_DENIED', 'authMethod', { ...params, address: recipient });
    if (SENDER_PATTERNS.test(text)) return verdict('SENDER_REFUSED', 'noReplyAddress', { ...params, address: config.noReplyAddress });
    if (/STARTTLS/i.test(text)) return verdict('TLS_REQUIRED', 'encryption', params);
    if (reply.code === 530 || AUTH_REQUIRED_PATTERNS.test(text)) return verdict('AUTH_REQUIRED', 'authMethod', params);
    if (permanent && step === 'mail') return verdict('SENDER_REFUSED', 'noReplyAddress', { ...params, address: config.noReplyAddress });
    if (permanent && step === 'rcpt') return verdict('RECIPIENT_REFUSED', 'testRecipient', { ...params, address: recipient });
    if (permanent && step === 'data') return verdict('MESSAGE_REJECTED', null, params);
  }
  if (reply.code >= 400 && reply.code < 500) return verdict('TEMPORARY_FAILURE', null, { ...params, step });
  return verdict('SERVER_REJECTED', null, { ...params, step });
}

/** Guard reasons as ICU select keys (no hyphens). */
const WHY_REFUSED: Record<string, string> = {
  'port-not-allowed': 'portNotAllowed',
  'address-not-public': 'addressNotPublic',
  'invalid-host': 'invalidHost',
};

const TLS_MODE_ERRORS = /wrong version number|packet length too long|unknown protocol|http request|record layer failure/i;
const CLOSED_ERRNOS = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);

/** Port and encryption setting disagree: the mode to suggest is the other one. */
export function modeMismatch(config: SmtpConfig): Verdict {
  const suggested = config.encryption === 'tls' ? 'starttls' : 'tls';
  return verdict('TLS_MODE_MISMATCH', 'encryption', { port: config.port, encryption: config.encryption, suggested });
}

function diagnoseIo(error: IoFailure, { step, config }: DiagnoseContext): Verdict {
  const reason = error.message;
  if (error.kind === 'aborted') return verdict('CANCELLED', null);
  if (step === 'dns') return verdict('DNS_FAILED', 'host', { host: config.host, reason: error.errno ?? reason });
  if (error.kind === 'tls-data') return modeMismatch(config);
  if (step === 'connect') {
    if (error.errno === 'ECONNREFUSED') return verdict('CONNECTION_REFUSED', 'port', { host: config.host, port: config.port });
    if (error.kind === 'timeout') return verdict('CONNECTION_TIMEOUT', 'port', { host: config.host, port: config.port });
    return verdict('CONNECTION_FAILED', 'host', { host: config.host, port: config.port, reason: error.errno ?? reason });
  }
  if (error.kind === 'unbounded') return verdict('UNBOUNDED_REPLY', null, { step, port: config.port });
  if (step === 'tls') {
    if (TLS_MODE_ERRORS.test(reason) || error.errno === 'ERR_SSL_WRONG_VERSION_NUMBER') return modeMismatch(config);
    // A plain-text SMTP server greets at once, so the ClientHello meets "220 …" and fails with "wrong
    // version number" within milliseconds. Silence means nobody answered in either language.
    if (error.kind === 'timeout' && config.encryption === 'tls') return verdict('PORT_SILENT', 'port', { port: config.port });
    if (error.kind === 'timeout') return verdict('SERVER_TIMEOUT', null, { step, port: config.port });
    return verdict('TLS_FAILED', 'encryption', { port: config.port, reason: error.errno ?? reason });
  }
  if (error.kind === 'timeout') {
    if (step === 'greeting') return verdict('NO_GREETING', 'port', { port: config.port });
    return verdict('SERVER_TIMEOUT', null, { step, port: config.port });
  }
  if (error.kind === 'closed' || (error.errno && CLOSED_ERRNOS.has(error.errno))) {
    return verdict('CONNECTION_CLOSED', null, { step, port: config.port });
  }
  return verdict('PROTOCOL_ERROR', null, { step, reason });
}

/** Any error a step can end with → what to tell the user and which field to point at. */
export function diagnose(error: unknown, context: DiagnoseContext): Verdict {
  if (error instanceof DiagnosedFailure) return { hint: error.diagnosis, field: error.field };
  if (error instanceof ReplyFailure) return diagnoseReply(error.reply, context);
  if (error instanceof IoFailure) return diagnoseIo(error, context);
  if (error instanceof AppError && error.code === 'DESTINATION_REFUSED') {
    const field = error.details.field === 'port' ? 'port' : 'host';
    const why = WHY_REFUSED[String(error.details.reason)] ?? 'addressNotPublic';
    return verdict('DESTINATION_REFUSED', field, { host: context.config.host, port: context.config.port, why });
  }
  const errno = (error as NodeJS.ErrnoException | null)?.code;
  if (context.step === 'dns' && typeof errno === 'string') {
    return verdict('DNS_FAILED', 'host', { host: context.config.host, reason: errno });
  }
  return verdict('PROTOCOL_ERROR', null, { step: context.step, reason: error instanceof Error ? error.message : String(error) });
}
