import 'server-only';
// Who hears about what (issue 14): one table from audit action to recipients and message, applied by
// recordEvent in the transaction of the change itself, so a notice (and its mail, in the OwnMail outbox)
// exists exactly when the event does. The actor is never told about their own action.
import { randomUUID } from 'node:crypto';
import type { Tx } from '../db';
import type { Actor, AuditInput } from '../audit/record-event';
import type { NotificationKind } from '@/lib/notification-kinds';
import { isStaff } from '../authz/permissions';
import type { Role } from '../auth/roles';
import { asLocale, DEFAULT_LOCALE } from '../i18n/locales';
import { publicUrl } from '../env';
import { enqueueOwnMail } from '../own-mail/enqueue-own-mail';
import { PREFERENCES_PATH } from '../own-mail/compose-own-mail';
import { renderMail, type NoticeParams } from './render-notification';

type Audience = 'customers' | 'tams' | 'tenantTams' | 'admins';
type Notice = { kind: NotificationKind; to: Audience[]; params: NoticeParams };
type RequestRow = { id: string; number: number; tenantId: string; assigneeId: string | null; host: string; tenant: { name: string; slug: string } };
type Context = {
  tx: Tx;
  seq: number;
  actor: Actor;
  actorUser: { name: string; role: string } | null;
  input: AuditInput;
  after: Record<string, unknown>;
  before: Record<string, unknown>;
  request: RequestRow | null;
  tenant: { id: string; name: string; slug: string } | null;
};
type Rule = (ctx: Context) => Promise<Notice | null> | Notice | null;

const str = (v: unknown) => (typeof v === 'string' ? v : v === null || v === undefined ? '' : String(v));
const requestParams = (ctx: Context): NoticeParams => ({
  ref: `SMTP-${ctx.request!.number}`,
  tenant: ctx.request!.tenant.name,
  actor: ctx.actorUser?.name ?? ctx.actor.label,
  host: ctx.request!.host,
});
const tenantParams = (ctx: Context): NoticeParams => ({ tenant: ctx.tenant!.name, actor: ctx.actorUser?.name ?? ctx.actor.label });

/** The acting person's role (null for the system: the worker, the health check, the sign-in throttle). */
async function actorRole(ctx: Context): Promise<Role | null> {
  return (ctx.actorUser?.role as Role | undefined) ?? null;
}

/** A comment that is the reason of the status change recorded just before it (same transaction) was told with that change. */
async function toldWithStatusChange(ctx: Context): Promise<boolean> {
  if (ctx.seq <= 1) return false;
  const previous = await ctx.tx.auditEvent.findUnique({ where: { seq: ctx.seq - 1 }, select: { action: true, targetId: true, after: true } });
  if (previous?.action !== 'request.status_changed' || previous.targetId !== ctx.request?.id) return false;
  return typeof (JSON.parse(previous.after ?? '{}') as { comment?: unknown }).comment === 'string';
}

const RULES: Partial<Record<AuditInput['action'], Rule>> = {
  'request.created': (ctx) => (ctx.request ? { kind: 'request.created', to: ['tams'], params: requestParams(ctx) } : null),
  'request.status_changed': (ctx) => {
    if (!ctx.request) return null;
    const to = str(ctx.after.status);
    const from = str(ctx.before.status);
    const comment = str(ctx.after.comment);
    const p = requestParams(ctx);
    if (to === 'in_review' && from === 'submitted') return { kind: 'request.taken', to: ['customers'], params: p };
    if (to === 'needs_info') return { kind: 'request.needs_info', to: ['customers'], params: { ...p, comment } };
    if (to === 'rejected') return { kind: 'request.rejected', to: ['customers'], params: { ...p, comment } };
    if (to === 'applied') return { kind: 'request.applied', to: ['customers'], params: { ...p, version: str(ctx.after.version) } };
    if (to === 'withdrawn') return { kind: 'request.withdrawn', to: ['tams'], params: p };
    // validated / tested: the probe events say it (with the failures too); needs_info → in_review: the answer's own event does.
    return null;
  },
  'request.commented': async (ctx) => {
    if (!ctx.request || ctx.after.internal !== false) return null;
    if (await toldWithStatusChange(ctx)) return null;
    const comment = await ctx.tx.comment.findUnique({ where: { id: str(ctx.after.commentId) }, select: { body: true } });
    const role = await actorRole(ctx);
    if (!comment || !role) return null;
    const params = { ...requestParams(ctx), comment: comment.body };
    return isStaff(role) ? { kind: 'request.staff_commented', to: ['customers'], params } : { kind: 'request.customer_commented', to: ['tams'], params };
  },
  'request.edited': async (ctx) => {
    const role = await actorRole(ctx);
    if (!ctx.request || !role || isStaff(role)) return null;
    return {
      kind: 'request.edited',
      to: ['tams'],
      params: { ...requestParams(ctx), reopened: str(ctx.before.status) === 'needs_info' && str(ctx.after.status) === 'in_review' ? 'yes' : 'no' },
    };
  },
  'probe.validated': (ctx) => checked(ctx, 'validate'),
  'probe.test_sent': (ctx) => checked(ctx, 'test'),
  'config.rolled_back': (ctx) =>
    ctx.tenant ? { kind: 'config.rolled_back', to: ['customers'], params: { ...tenantParams(ctx), version: str(ctx.after.version), from: str(ctx.after.copiedFrom) } } : null,
  'config.auto_rolled_back': (ctx) =>
    ctx.tenant
      ? {
          kind: 'config.auto_rolled_back',
          to: ['customers'],
          params: { ...tenantParams(ctx), version: str(ctx.after.version), from: str(ctx.after.copiedFrom), failed: str(ctx.before.version) },
        }
      : null,
  'config.canary_failed': (ctx) =>
    ctx.tenant ? { kind: 'config.canary_failed', to: ['tenantTams'], params: { ...tenantParams(ctx), version: str(ctx.after.version), reply: str(ctx.after.reply) } } : null,
  'pipeline.paused': (ctx) => (ctx.tenant ? { kind: 'pipeline.paused', to: ['customers', 'tenantTams'], params: { ...tenantParams(ctx), reason: str(ctx.after.reason) } } : null),
  'pipeline.resumed': (ctx) => (ctx.tenant ? { kind: 'pipeline.resumed', to: ['customers'], params: tenantParams(ctx) } : null),
  // Said once: only when a check finds problems the previous one did not have.
  'health.changed': (ctx) => {
    const added = Array.isArray(ctx.after.added) ? ctx.after.added.map(str) : [];
    if (!ctx.tenant || added.length === 0) return null;
    return { kind: 'health.changed', to: ['customers', 'tenantTams'], params: { ...tenantParams(ctx), problems: added } };
  },
  'auth.sign_in_failures_distributed': (ctx) => ({
    kind: 'auth.sign_in_storm',
    to: ['admins'],
    params: { email: str(ctx.after.email), failures: Number(ctx.after.failures) || 0, addresses: Number(ctx.after.addresses) || 0, hours: Number(ctx.after.windowHours) || 0 },
  }),
};

/** A TAM's live check, told to the customer as a summary: passed, or the step it stopped at (no transcript, no reply). */
async function checked(ctx: Context, check: 'validate' | 'test'): Promise<Notice | null> {
  const role = await actorRole(ctx);
  if (!ctx.request || !role || !isStaff(role)) return null;
  return { kind: 'request.checked', to: ['customers'], params: { ...requestParams(ctx), check, ok: ctx.after.ok === true ? 'yes' : 'no', step: str(ctx.after.failedStep) } };
}

const LIVE = { disabledAt: null } as const;

async function recipientsOf(ctx: Context, audience: Audience) {
  const { tx } = ctx;
  const tenantId = ctx.request?.tenantId ?? ctx.tenant?.id ?? null;
  const select = { id: true, email: true, name: true, locale: true, role: true } as const;
  if (audience === 'admins') return tx.user.findMany({ where: { role: 'admin', ...LIVE }, select });
  if (!tenantId) return [];
  if (audience === 'customers') return tx.user.findMany({ where: { tenantId, role: 'customer-admin', ...LIVE }, select });
  const assigneeId = audience === 'tams' ? ctx.request?.assigneeId : null;
  if (assigneeId) {
    const assignee = await tx.user.findFirst({ where: { id: assigneeId, role: 'tam', ...LIVE }, select });
    if (assignee) return [assignee];
  }
  return tx.user.findMany({ where: { role: 'tam', ...LIVE, tamAssignments: { some: { tenantId } } }, select });
}

/** Called by recordEvent after it appended the event, in the same transaction. */
export async function notifyEvent(tx: Tx, actor: Actor, input: AuditInput, seq: number): Promise<void> {
  const rule = RULES[input.action];
  if (!rule) return;
  const request =
    input.targetType === 'smtp-request' && input.targetId
      ? await tx.smtpRequest.findUnique({
          where: { id: input.targetId },
          select: { id: true, number: true, tenantId: true, assigneeId: true, host: true, tenant: { select: { name: true, slug: true } } },
        })
      : null;
  const tenantId = request?.tenantId ?? input.tenantId ?? null;
  const tenant = request
    ? { id: request.tenantId, ...request.tenant }
    : tenantId
      ? await tx.tenant.findUnique({ where: { id: tenantId }, select: { id: true, name: true, slug: true } })
      : null;
  const actorUser = actor.type !== 'system' && actor.id ? await tx.user.findUnique({ where: { id: actor.id }, select: { name: true, role: true } }) : null;
  const ctx: Context = { tx, seq, actor, actorUser, input, after: input.after ?? {}, before: input.before ?? {}, request, tenant };
  const notice = await rule(ctx);
  if (!notice) return;
  const people = new Map<string, Awaited<ReturnType<typeof recipientsOf>>[number]>();
  for (const audience of notice.to) for (const user of await recipientsOf(ctx, audience)) people.set(user.id, user);
  if (actor.id) people.delete(actor.id);
  if (people.size === 0) return;
  const preferences = await tx.notificationPreference.findMany({ where: { kind: notice.kind, userId: { in: [...people.keys()] } } });
  const link = request ? `/requests/${request.id}` : notice.kind === 'auth.sign_in_storm' ? '/admin' : tenant ? `/tenants/${tenant.slug}` : '/notifications';
  const threadKey = request ? `request:${request.id}` : tenant ? `tenant:${tenant.id}` : `admin:${notice.kind}`;
  const base = publicUrl();
  const now = new Date();
  for (const user of people.values()) {
    const preference = preferences.find((p) => p.userId === user.id);
    if (preference?.inApp !== false) {
      await tx.inAppNotice.create({
        data: {
          id: randomUUID(),
          userId: user.id,
          kind: notice.kind,
          tenantId: tenant?.id ?? null,
          requestId: request?.id ?? null,
          params: JSON.stringify(notice.params),
          link,
          createdAt: now,
        },
      });
    }
    if (preference?.mail !== false) {
      const locale = asLocale(user.locale ?? '') ?? DEFAULT_LOCALE;
      const mail = renderMail(notice.kind, notice.params, locale, user, { page: `${base}${link}`, preferences: `${base}${PREFERENCES_PATH}` });
      await enqueueOwnMail(tx, { to: user.email, userId: user.id, locale, kind: notice.kind, ...mail, threadKey });
    }
  }
}
