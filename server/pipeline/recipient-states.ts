// Delivery per recipient (issue 10): a server may accept some RCPTs and refuse others. Accepted ones are
// done, 4xx ones are tried again (only them, same Message-ID), 5xx ones are dead letters with the reply.
// Stored as JSON on the notification once a send had mixed results; until then every recipient shares
// the notification's status (the common case costs nothing).

export const RECIPIENT_STATES = ['pending', 'delivered', 'retrying', 'dead'] as const;
export type RecipientStateName = (typeof RECIPIENT_STATES)[number];
export type RecipientState = { address: string; state: RecipientStateName; reply: string | null; at: string | null };

/** What the server answered for one refused RCPT (nodemailer's rejectedErrors). */
export type RefusedRecipient = { recipient?: string; responseCode?: number; response?: string; message?: string };

type RowLike = {
  recipients: string;
  recipientStates: string | null;
  status: string;
  lastReply: string | null;
  sentAt?: Date | null;
  deadAt?: Date | null;
  lastErrorAt?: Date | null;
};

const STATE_OF_STATUS: Record<string, RecipientStateName> = { queued: 'pending', retrying: 'retrying', delivered: 'delivered', dead: 'dead' };

/** The state of every recipient: stored, or the notification's own status for each. */
export function recipientStatesOf(row: RowLike): RecipientState[] {
  if (row.recipientStates) return JSON.parse(row.recipientStates) as RecipientState[];
  const state = STATE_OF_STATUS[row.status] ?? 'pending';
  const at = state === 'delivered' ? row.sentAt : state === 'dead' ? row.deadAt : state === 'retrying' ? row.lastErrorAt : null;
  return (JSON.parse(row.recipients) as string[]).map((address) => ({ address, state, reply: state === 'pending' ? null : row.lastReply, at: at ? at.toISOString() : null }));
}

/** Who the next attempt goes to: everyone not delivered and not a dead letter. */
export function remainingRecipients(states: RecipientState[]): string[] {
  return states.filter((s) => s.state === 'pending' || s.state === 'retrying').map((s) => s.address);
}

// Postfix "Relay access denied", Sendmail "Relaying denied", Exim "relay not permitted", Exchange
// "Unable to relay", qmail "sorry, that domain isn't in my list of allowed rcpthosts".
const RELAY_REFUSAL = /relay(ing)? (access )?(denied|not permitted|not allowed|prohibited|refused)|unable to relay|not permitted to relay|we do not relay|allowed rcpthosts/i;

/** A refusal every outside recipient would get: the server does not relay for Relaydesk. */
export function isRelayRefusal(reply: string): boolean {
  return RELAY_REFUSAL.test(reply);
}

export type RecipientOutcome = {
  states: RecipientState[];
  /** The first relay refusal (the tenant is paused; these recipients stay pending). */
  relayRefusal: string | null;
  /** The first refusal otherwise (shown as the notification's last reply). */
  firstRefusal: string | null;
};

/**
 * Applies one send's result to the recipients it went to. `reply` turns a server reply into what may be
 * stored (redacted, shortened).
 */
export function applySendResult(
  states: RecipientState[],
  targets: string[],
  accepted: string[],
  refused: RefusedRecipient[],
  dataReply: string,
  reply: (text: string) => string,
  now = new Date(),
): RecipientOutcome {
  const at = now.toISOString();
  const key = (address: string) => address.toLowerCase();
  const acceptedSet = new Set(accepted.map(key));
  const refusedBy = new Map(refused.filter((r) => r.recipient).map((r) => [key(r.recipient!), r]));
  let relayRefusal: string | null = null;
  let firstRefusal: string | null = null;
  const next = states.map((s): RecipientState => {
    if (!targets.includes(s.address)) return s;
    if (acceptedSet.has(key(s.address))) return { ...s, state: 'delivered', reply: reply(dataReply), at };
    const refusal = refusedBy.get(key(s.address));
    const text = reply(refusal?.response || refusal?.message || 'Refused by the server');
    if (refusal?.response && isRelayRefusal(refusal.response)) {
      relayRefusal ??= text;
      return { ...s, state: 'pending', reply: text, at };
    }
    firstRefusal ??= text;
    const code = refusal?.responseCode ?? 0;
    return { ...s, state: code >= 500 ? 'dead' : 'retrying', reply: text, at };
  });
  return { states: next, relayRefusal, firstRefusal };
}

/** The notification's status from its recipients: retrying while any is, dead if any is, else delivered. */
export function statusOfRecipients(states: RecipientState[]): 'queued' | 'retrying' | 'dead' | 'delivered' {
  if (states.some((s) => s.state === 'retrying')) return 'retrying';
  if (states.some((s) => s.state === 'pending')) return 'queued';
  if (states.some((s) => s.state === 'dead')) return 'dead';
  return 'delivered';
}
