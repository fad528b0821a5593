// Which statuses allow which work: one answer for the domain and the pages (PRODUCT.md, lifecycle).

/** The customer holds the request: they may edit it (and, answering, give it back to review). */
export const EDITABLE_STATUSES = ['submitted', 'needs_info'] as const;
/** The customer may check the settings themselves (a validation, no mail): while they hold the request. */
export const CHECK_STATUSES = EDITABLE_STATUSES;
/** Still in the workflow (not applied, rejected or withdrawn): in the TAM's open queue, with a waiting time. */
export const OPEN_STATUSES = ['submitted', 'in_review', 'needs_info', 'validated', 'tested'] as const;
/** A TAM may run live checks (validate, test-send). */
export const PROBE_STATUSES = ['in_review', 'validated', 'tested'] as const;

/** The configuration may be applied: its test email went through. */
export const APPLY_STATUS = 'tested';

export function canApplyStatus(status: string): boolean {
  return status === APPLY_STATUS;
}

/** The request page shows the Apply panel (enabled or saying why not): while a TAM works on it, and once applied. */
export function showsApplyPanel(status: string): boolean {
  return canProbeStatus(status) || status === 'applied';
}

export function canEditStatus(status: string): boolean {
  return (EDITABLE_STATUSES as readonly string[]).includes(status);
}

export function canCheckStatus(status: string): boolean {
  return (CHECK_STATUSES as readonly string[]).includes(status);
}

export function isOpenStatus(status: string): boolean {
  return (OPEN_STATUSES as readonly string[]).includes(status);
}

export function canProbeStatus(status: string): boolean {
  return (PROBE_STATUSES as readonly string[]).includes(status);
}

/** Why live checks cannot run on a request in this status (a key of requests.probe.closed). */
export function probeClosedReason(status: string): 'takeFirst' | 'waitingOnCustomer' | 'finished' | null {
  if (canProbeStatus(status)) return null;
  if (status === 'submitted') return 'takeFirst';
  if (status === 'needs_info') return 'waitingOnCustomer';
  return 'finished';
}
