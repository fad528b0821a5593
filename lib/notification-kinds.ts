// What Relaydesk tells people about (issue 14 "Who hears what"): one kind per message, each with its
// preference (mail, in-app) and its strings in notifications.kinds.<catalogKey> of both catalogs.
export const NOTIFICATION_KINDS = [
  // customer admins of the tenant
  'request.taken',
  'request.needs_info',
  'request.staff_commented',
  'request.checked',
  'request.applied',
  'request.rejected',
  'config.rolled_back',
  'config.auto_rolled_back',
  'pipeline.paused',
  'pipeline.resumed',
  // the assigned TAM (every TAM of the tenant while unassigned)
  'request.created',
  'request.customer_commented',
  'request.edited',
  'request.withdrawn',
  'config.canary_failed',
  // both
  'health.changed',
  // admins
  'auth.sign_in_storm',
] as const;

export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/** Who can get which kind: the preferences page lists only these for the user's role. */
export const KINDS_BY_AUDIENCE = {
  customer: [
    'request.taken',
    'request.needs_info',
    'request.staff_commented',
    'request.checked',
    'request.applied',
    'request.rejected',
    'config.rolled_back',
    'config.auto_rolled_back',
    'pipeline.paused',
    'pipeline.resumed',
    'health.changed',
  ],
  tam: ['request.created', 'request.customer_commented', 'request.edited', 'request.withdrawn', 'config.canary_failed', 'pipeline.paused', 'health.changed'],
  admin: ['auth.sign_in_storm'],
} as const satisfies Record<string, readonly NotificationKind[]>;

export function kindsForRole(role: string): readonly NotificationKind[] {
  if (role === 'customer-admin') return KINDS_BY_AUDIENCE.customer;
  if (role === 'tam') return KINDS_BY_AUDIENCE.tam;
  if (role === 'admin') return KINDS_BY_AUDIENCE.admin;
  return [];
}

export function isNotificationKind(value: unknown): value is NotificationKind {
  return typeof value === 'string' && (NOTIFICATION_KINDS as readonly string[]).includes(value);
}

/** Catalog keys may not contain dots (next-intl): request.needs_info → request_needs_info. */
export const catalogKeyOf = (kind: NotificationKind) => kind.replace('.', '_');
