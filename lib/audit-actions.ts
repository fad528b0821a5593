// Every action the audit trail records. recordEvent takes only these, and each has a label in both
// message catalogs (auditActions.<action>; a unit test checks), so the console can name it in the reader's
// language while filters, exports and the API keep the stable code.
export const AUDIT_ACTIONS = [
  'auth.signed_in',
  'auth.signed_out',
  'auth.sign_in_failed',
  'request.created',
  'request.edited',
  'request.commented',
  'request.status_changed',
  'probe.validated',
  'probe.test_sent',
  'probe.bundle_downloaded',
  'config.applied',
  'config.rolled_back',
  'config.auto_rolled_back',
  'config.canary_delivered',
  'config.canary_failed',
  'pipeline.paused',
  'pipeline.resumed',
  'pipeline.limits_changed',
  'delivery.retried',
  'pipeline_token.created',
  'pipeline_token.revoked',
  'token.created',
  'token.revoked',
  'tenant.created',
  'user.created',
  'user.role_changed',
  'user.password_changed',
  'tam.assigned',
  'tam.unassigned',
  'secrets.rotated',
  'sandbox.mode_changed',
  'audit.exported',
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];
