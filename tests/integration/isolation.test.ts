import '../helpers/test-env';
// The isolation table: every v1 route × method × role × own/other tenant → the status a user sees,
// and every server action → the domain function and permission it relies on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { api, V1_ROUTES } from '../helpers/api';
import { makeTenantWithPeople, makeUser, validRequestBody, db, unique, TEST_PASSWORD, type TestUser } from '../helpers/factories';
import { assertFreshDatabase } from '../helpers/fresh-database';
import { assertDocumented } from '../helpers/openapi-contract';
import { createRequest } from '@/server/requests/create-request';
import { updateRequest } from '@/server/requests/update-request';
import { addComment } from '@/server/requests/comments';
import { transitionRequest } from '@/server/requests/transition-request';
import { createTenant, assignTam, unassignTam, setUserRole, setUserDisabled, resetUserPassword } from '@/server/admin/manage-tenants';
import { changeOwnPassword } from '@/server/users/change-own-password';
import { listPreferences, markAllNoticesRead, markNoticeRead, savePreferences } from '@/server/notifications/in-app-notices';
import { createToken, findUserByToken, revokeToken } from '@/server/auth/tokens';
import { endAllBrowserSessions, isBrowserSessionLive, startBrowserSession } from '@/server/auth/sessions';
import { checkCredentials } from '@/server/auth/sign-in';
import { createInvitation, resendInvitation, revokeInvitation } from '@/server/invitations/manage-invitations';
import { acceptInvitation } from '@/server/invitations/accept-invitation';
import { readQueuedOwnMail } from '../helpers/own-mail';
import { saveUserLocale } from '@/server/users/save-user-locale';
import { saveUserTimeZone } from '@/server/users/user-time-zone';
import { setSandboxMode } from '@/server/sandbox/sandbox-inbox';
import { requirePermission } from '@/server/authz/scopes';
import { can, PERMISSIONS, type Permission } from '@/server/authz/permissions';
import { actorOf } from '@/server/audit/actor';
import { AppError } from '@/server/app-error';
import { SYSTEM_ACTOR } from '@/server/audit/record-event';
import type { CurrentUser } from '@/server/auth/current-user';
import type { Role } from '@/server/auth/roles';

await assertFreshDatabase(db);

// ── The world: tenant A is "own" (its customers, and the TAM assigned to it); tenant B is "other".
// The unassigned TAM works tenant C only, so for them both A and B are someone else's.
const ACTORS = ['anonymous', 'customer admin', 'customer member', 'assigned TAM', 'unassigned TAM', 'auditor', 'admin'] as const;
type Actor = (typeof ACTORS)[number];
type Scope = 'own' | 'other';

const own = await makeTenantWithPeople();
const other = await makeTenantWithPeople();
const third = await makeTenantWithPeople();
const auditor = await makeUser('auditor');
const admin = await makeUser('admin');

const USERS: Record<Exclude<Actor, 'anonymous'>, TestUser> = {
  'customer admin': own.admin,
  'customer member': own.member,
  'assigned TAM': own.tam,
  'unassigned TAM': third.tam,
  auditor,
  admin,
};
const TENANT_OF: Record<Scope, typeof own> = { own, other };

async function requestIn(scope: Scope) {
  return createRequest(TENANT_OF[scope].admin, validRequestBody({ notes: `isolation ${unique('n')}` }));
}
// Read rows share one request per tenant; write rows each get a fresh one, so no row depends on another.
const shared: Record<Scope, { id: string }> = { own: await requestIn('own'), other: await requestIn('other') };
// A finished probe run per tenant, stored as the probe stores it (a real probe needs a live SMTP server).
async function probeRunIn(scope: Scope) {
  const request = await db.smtpRequest.findUniqueOrThrow({ where: { id: shared[scope].id } });
  return db.probeRun.create({
    data: {
      id: crypto.randomUUID(),
      requestId: request.id,
      tenantId: request.tenantId,
      kind: 'validate',
      ok: false,
      fingerprint: request.fingerprint,
      recipient: request.testRecipient,
      startedAt: new Date(),
      durationMs: 12,
      steps: '[]',
      transcript: '[]',
      actorId: TENANT_OF[scope].tam.id,
    },
  });
}
const sharedRun: Record<Scope, { id: string }> = { own: await probeRunIn('own'), other: await probeRunIn('other') };

// Open invitations into the own tenant, sent by the admin beforehand (a refused action must change nothing,
// so the resend, revoke and accept rows cannot make theirs inside the call): each row takes the next unused one.
// Made here, before the first test starts running.
const invitationPool: { id: string; email: string }[] = [];
for (let i = 0; i < 20; i++) {
  invitationPool.push(
    await createInvitation(
      admin,
      { email: `${unique('inv')}@example.test`, name: 'Invited', role: 'customer-member', tenant: own.tenant.slug, locale: 'en' },
      { origin: 'http://relaydesk.test' },
    ),
  );
}
async function invitationInOwnTenant() {
  const next = invitationPool.shift();
  assert.ok(next, 'the invitation pool is large enough');
  return next;
}

// ── The table. [own, other] per actor for routes that address a request; one status for the others.
// "listed"/"hidden": 200, and the tenant's request is (not) in the list, across every page.
type Outcome = number | 'listed' | 'hidden';
type Expect = Outcome | readonly [own: Outcome, other: Outcome];
type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
type CaseOptions = {
  variant?: string;
  body?: (scope: Scope) => unknown;
  object?: 'probe run';
  /** An accepted call that is audited but leaves the request as it was (a customer's check of its settings). */
  leavesRequest?: true;
  /** For routes addressed by something other than a request or probe run id (e.g. a tenant slug, a user's own notice). */
  url?: (scope: Scope, actor: Actor) => string | Promise<string>;
  /** An accepted write that changes nothing an auditor reviews (marking one's own notices read), and why. */
  unaudited?: string;
};
type Case = CaseOptions & { method: Method; pattern: string; expect: Record<Actor, Expect> };

function route(method: Method, pattern: string, opts: CaseOptions, ...e: [Expect, Expect, Expect, Expect, Expect, Expect, Expect]): Case {
  return { method, pattern, ...opts, expect: Object.fromEntries(ACTORS.map((a, i) => [a, e[i]!])) as Record<Actor, Expect> };
}
const L = 'listed';
const H = 'hidden';
const R = '/api/v1/smtp-requests';
const comment = { body: 'a comment from the isolation table' };
/** A fresh unread notice of the actor ("own") or of another user ("other"), addressed by its id. */
async function noticeUrl(scope: Scope, actor: Actor): Promise<string> {
  const userId = scope === 'own' && actor !== 'anonymous' ? USERS[actor].id : other.admin.id;
  const notice = await db.inAppNotice.create({ data: { id: crypto.randomUUID(), userId, kind: 'request.taken', params: '{}', link: '/', createdAt: new Date() } });
  return `/api/v1/notices/${notice.id}/read`;
}
const OWN_NOTICES = 'marking one’s own notices read changes nothing an auditor reviews (the page does not audit it either)';
// Every accepted PATCH must change something (and so be audited): each call asks for a new rate.
let rate = 10;
const nextRate = () => ++rate;

// Rules: anonymous → 401; another tenant's object → 404, never 403, whatever the role;
// a role that may not do this, on an object it can see → 403.
// Probes: the TAM's own-tenant row answers 409 because a fresh request is "submitted" and must be taken
// first — the permission and the scope let the TAM through, and no SMTP connection is attempted.
const CASES: Case[] = [
  //                                                                                                 anonymous     customer admin  customer member  assigned TAM  unassigned TAM  auditor     admin
  route('GET', '/api/v1/openapi.json', {}, 200, 200, 200, 200, 200, 200, 200),
  route('GET', '/api/health', {}, 200, 200, 200, 200, 200, 200, 200),
  route('GET', '/api/v1/audit-events', {}, 401, 403, 403, 403, 403, 200, 403),
  route('GET', '/api/v1/audit-events/export', {}, 401, 403, 403, 403, 403, 200, 403),
  route('GET', '/api/v1/audit-events/verify', {}, 401, 403, 403, 403, 403, 200, 403),
  route('GET', R, {}, [401, 401], [L, H], [L, H], [L, H], [H, H], [L, L], [L, L]),
  route('POST', R, { body: () => validRequestBody() }, 401, 201, 403, 403, 403, 403, 403),
  route('POST', R, { variant: 'naming another tenant', body: () => validRequestBody({ tenant: other.tenant.slug }) }, 401, 422, 403, 403, 403, 403, 403),
  route('GET', `${R}/[id]`, {}, [401, 401], [200, 404], [200, 404], [200, 404], [404, 404], [200, 200], [200, 200]),
  route('PATCH', `${R}/[id]`, { body: () => ({ notes: 'edited by the isolation table' }) }, [401, 401], [200, 404], [403, 404], [403, 404], [404, 404], [403, 403], [403, 403]),
  route('GET', `${R}/[id]/comments`, {}, [401, 401], [200, 404], [200, 404], [200, 404], [404, 404], [200, 200], [200, 200]),
  route('POST', `${R}/[id]/comments`, { body: () => comment }, [401, 401], [201, 404], [403, 404], [201, 404], [404, 404], [403, 403], [403, 403]),
  route(
    'POST',
    `${R}/[id]/comments`,
    { variant: 'internal', body: () => ({ ...comment, internal: true }) },
    [401, 401],
    [403, 404],
    [403, 404],
    [201, 404],
    [404, 404],
    [403, 403],
    [403, 403],
  ),
  route(
    'POST',
    `${R}/[id]/transitions`,
    { variant: 'to in_review', body: () => ({ to: 'in_review' }) },
    [401, 401],
    [403, 404],
    [403, 404],
    [200, 404],
    [404, 404],
    [403, 403],
    [403, 403],
  ),
  route(
    'POST',
    `${R}/[id]/transitions`,
    { variant: 'to rejected', body: () => ({ to: 'rejected', comment: 'Not a supported provider.' }) },
    [401, 401],
    [403, 404],
    [403, 404],
    [200, 404],
    [404, 404],
    [403, 403],
    [403, 403],
  ),
  route(
    'POST',
    `${R}/[id]/transitions`,
    { variant: 'to withdrawn', body: () => ({ to: 'withdrawn' }) },
    [401, 401],
    [200, 404],
    [403, 404],
    [403, 404],
    [404, 404],
    [403, 403],
    [403, 403],
  ),
  route('POST', `${R}/[id]/validate`, {}, [401, 401], [403, 404], [403, 404], [409, 404], [404, 404], [403, 403], [403, 403]),
  route('POST', `${R}/[id]/test-send`, { body: () => ({}) }, [401, 401], [403, 404], [403, 404], [409, 404], [404, 404], [403, 403], [403, 403]),
  // A customer's check: no SMTP server answers (the test DNS zone is empty), so the run fails at its DNS step — stored and audited, 200.
  route('POST', '/api/v1/smtp-checks', { body: () => validRequestBody() }, 401, 200, 403, 403, 403, 403, 403),
  route('POST', `${R}/[id]/check`, { leavesRequest: true }, [401, 401], [200, 404], [403, 404], [403, 404], [404, 404], [403, 403], [403, 403]),
  route('GET', `${R}/[id]/probe-runs`, {}, [401, 401], [403, 404], [403, 404], [200, 404], [404, 404], [200, 200], [200, 200]),
  route('GET', '/api/v1/probe-runs/[id]/bundle', { object: 'probe run' }, [401, 401], [403, 404], [403, 404], [200, 404], [404, 404], [200, 200], [200, 200]),
  // Apply: the own request was never tested, so the assigned TAM gets 409 (the gate), others the scope or role answer.
  route('POST', `${R}/[id]/apply`, {}, [401, 401], [403, 404], [403, 404], [409, 404], [404, 404], [403, 403], [403, 403]),
  // Tenant-addressed routes: the slug is the object. The tenants have no applied configuration yet.
  route(
    'GET',
    '/api/v1/tenants/[slug]/smtp-config',
    { url: (s) => `/api/v1/tenants/${TENANT_OF[s].tenant.slug}/smtp-config` },
    [401, 401],
    [200, 404],
    [200, 404],
    [200, 404],
    [404, 404],
    [200, 200],
    [200, 200],
  ),
  route(
    'POST',
    '/api/v1/tenants/[slug]/smtp-config/rollback',
    { url: (s) => `/api/v1/tenants/${TENANT_OF[s].tenant.slug}/smtp-config/rollback`, body: () => ({ version: 1 }) },
    [401, 401],
    [403, 404],
    [403, 404],
    [404, 404],
    [404, 404],
    [403, 403],
    [403, 403],
  ),
  // Notifications take a tenant pipeline token, never a personal one.
  route(
    'POST',
    '/api/v1/tenants/[slug]/notifications',
    { url: (s) => `/api/v1/tenants/${TENANT_OF[s].tenant.slug}/notifications`, body: () => ({ to: ['a@example.com'], subject: 's', text: 't', kind: 'mention' }) },
    [401, 401],
    [401, 401],
    [401, 401],
    [401, 401],
    [401, 401],
    [401, 401],
    [401, 401],
  ),
  route(
    'GET',
    '/api/v1/tenants/[slug]/deliveries',
    { url: (s) => `/api/v1/tenants/${TENANT_OF[s].tenant.slug}/deliveries` },
    [401, 401],
    [200, 404],
    [200, 404],
    [200, 404],
    [404, 404],
    [200, 200],
    [200, 200],
  ),
  route(
    'POST',
    '/api/v1/tenants/[slug]/deliveries/[id]/retry',
    { url: (s) => `/api/v1/tenants/${TENANT_OF[s].tenant.slug}/deliveries/${crypto.randomUUID()}/retry` },
    [401, 401],
    [403, 404],
    [403, 404],
    [404, 404],
    [404, 404],
    [403, 403],
    [404, 404],
  ),
  route(
    'GET',
    '/api/v1/tenants/[slug]/pipeline',
    { url: (s) => `/api/v1/tenants/${TENANT_OF[s].tenant.slug}/pipeline` },
    [401, 401],
    [200, 404],
    [200, 404],
    [200, 404],
    [404, 404],
    [200, 200],
    [200, 200],
  ),
  route(
    'PATCH',
    '/api/v1/tenants/[slug]/pipeline',
    { url: (s) => `/api/v1/tenants/${TENANT_OF[s].tenant.slug}/pipeline`, body: () => ({ ratePerMinute: nextRate() }) },
    [401, 401],
    [403, 404],
    [403, 404],
    [200, 404],
    [404, 404],
    [403, 403],
    [200, 200],
  ),
  route(
    'GET',
    '/api/v1/tenants/[slug]/pipeline-tokens',
    { url: (s) => `/api/v1/tenants/${TENANT_OF[s].tenant.slug}/pipeline-tokens` },
    [401, 401],
    [403, 404],
    [403, 404],
    [200, 404],
    [404, 404],
    [403, 403],
    [200, 200],
  ),
  route(
    'POST',
    '/api/v1/tenants/[slug]/pipeline-tokens',
    { url: (s) => `/api/v1/tenants/${TENANT_OF[s].tenant.slug}/pipeline-tokens` },
    [401, 401],
    [403, 404],
    [403, 404],
    [201, 404],
    [404, 404],
    [403, 403],
    [201, 201],
  ),
  // A user's own notices: everyone signed in has some; another user's notice is 404, never 403.
  route('GET', '/api/v1/notices', {}, 401, 200, 200, 200, 200, 200, 200),
  route('POST', '/api/v1/notices/read-all', { unaudited: OWN_NOTICES }, 401, 200, 200, 200, 200, 200, 200),
  route('POST', '/api/v1/notices/[id]/read', { url: noticeUrl, unaudited: OWN_NOTICES }, [401, 401], [204, 404], [204, 404], [204, 404], [204, 404], [204, 404], [204, 404]),
  route(
    'DELETE',
    '/api/v1/tenants/[slug]/pipeline-tokens/[id]',
    { url: (s) => `/api/v1/tenants/${TENANT_OF[s].tenant.slug}/pipeline-tokens/${crypto.randomUUID()}` },
    [401, 401],
    [403, 404],
    [403, 404],
    [404, 404],
    [404, 404],
    [403, 403],
    [404, 404],
  ),
];

type Row = Case & { actor: Actor; scope: Scope | null; outcome: Outcome };
const ROWS: Row[] = CASES.flatMap((c) =>
  ACTORS.flatMap((actor): Row[] => {
    const e = c.expect[actor];
    return typeof e === 'object' ? (['own', 'other'] as const).map((scope, i) => ({ ...c, actor, scope, outcome: e[i]! })) : [{ ...c, actor, scope: null, outcome: e }];
  }),
);

const rowName = (r: Row) =>
  `${r.method} ${r.pattern}${r.variant ? ` (${r.variant})` : ''} · ${r.actor}${r.scope ? ` · ${r.scope} tenant` : ''} → ${typeof r.outcome === 'number' ? r.outcome : `200 ${r.outcome}`}`;

const isWrite = (m: Method) => m !== 'GET';

async function snapshot(requestId: string | null) {
  const [requests, comments, audit, target] = await Promise.all([
    db.smtpRequest.count(),
    db.comment.count(),
    db.auditEvent.count(),
    requestId
      ? db.smtpRequest.findUniqueOrThrow({
          where: { id: requestId },
          select: { status: true, updatedAt: true, notes: true, fingerprint: true, assigneeId: true, passwordCipher: true },
        })
      : null,
  ]);
  return { requests, comments, audit, target };
}

async function listedIds(token: string): Promise<Set<string>> {
  const ids = new Set<string>();
  let cursor: string | null = null;
  do {
    const page = await api('GET', `${R}?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token });
    assert.equal(page.status, 200, page.text);
    for (const item of page.body.items as { id: string }[]) ids.add(item.id);
    cursor = page.body.nextCursor;
  } while (cursor);
  return ids;
}

test('the isolation table: every v1 route × role × own/other tenant', async (t) => {
  for (const row of ROWS) {
    await t.test(rowName(row), async () => {
      const token = row.actor === 'anonymous' ? undefined : USERS[row.actor].token;
      const addressed = row.pattern.includes('[id]');
      const run = row.object === 'probe run' && row.scope ? sharedRun[row.scope] : null;
      const target = addressed && row.scope && !run && !row.url ? (isWrite(row.method) ? await requestIn(row.scope) : shared[row.scope]) : null;
      const url = row.url && row.scope ? await row.url(row.scope, row.actor) : row.pattern.replace('[id]', (run ?? target)?.id ?? '');
      const before = await snapshot(target?.id ?? null);

      const res = await api(row.method, url, { token, body: row.body?.(row.scope ?? 'own') });

      const status = typeof row.outcome === 'number' ? row.outcome : 200;
      assert.equal(res.status, status, `${rowName(row)}: got ${res.status} ${res.text.slice(0, 300)}`);
      // What the OpenAPI document says of this operation and status is what came back (issue 17).
      assertDocumented(row.method, row.pattern, res);
      if (res.status >= 400) {
        assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
        assert.equal(res.body.status, res.status);
        assert.equal(typeof res.body.detail, 'string');
      }
      if (typeof row.outcome === 'string' && row.scope && token) {
        const ids = await listedIds(token);
        assert.equal(ids.has(shared[row.scope].id), row.outcome === 'listed', `the ${row.scope} tenant's request should be ${row.outcome}`);
      }
      const after = await snapshot(target?.id ?? null);
      if (res.status >= 400) {
        assert.deepEqual(after, before, 'a refused call changes nothing: no row, no comment, no audit event, same updatedAt and status');
      } else if (isWrite(row.method) && row.unaudited) {
        assert.equal(after.audit, before.audit, `not audited: ${row.unaudited}`);
      } else if (isWrite(row.method)) {
        assert.ok(after.audit > before.audit, 'an accepted write is audited');
        if (target && row.leavesRequest) assert.deepEqual(after.target, before.target, 'a check leaves the request as it was');
        else if (target) assert.notDeepEqual(after.target, before.target, 'an accepted write changes the request');
      }
    });
  }
});

test('a garbage or revoked token is anonymous on every authenticated route', async () => {
  const user = await makeUser('auditor');
  const revokable = await createToken(user.id, 'to revoke', SYSTEM_ACTOR);
  await revokeToken(user.id, revokable.id, SYSTEM_ACTOR);
  for (const token of ['rdk_not-a-real-token', 'not even the prefix', revokable.token]) {
    for (const c of CASES.filter((x) => x.expect.anonymous !== 200)) {
      const url = c.url ? await c.url('own', 'anonymous') : c.pattern.replace('[id]', (c.object === 'probe run' ? sharedRun : shared).own.id);
      const res = await api(c.method, url, { token, body: c.body?.('own') });
      assert.equal(res.status, 401, `${c.method} ${c.pattern} with token ${token.slice(0, 12)}…`);
    }
  }
});

// ── Every route on disk is in the table (and the api() helper), and the table lists nothing that is gone.
const HTTP_METHODS: Method[] = ['GET', 'POST', 'PATCH', 'PUT', 'DELETE'];

function walk(dir: string, keep: (file: string) => boolean): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : walk(full, keep);
    return keep(full) ? [full] : [];
  });
}

function urlPattern(routeFile: string): string {
  const segments = path
    .relative('app', path.dirname(routeFile))
    .split(path.sep)
    .filter((s) => !/^\(.*\)$/.test(s));
  return `/${segments.join('/')}`;
}

test('every route handler on disk is in the isolation table, method by method', async () => {
  const onDisk = new Set<string>();
  for (const file of walk(path.join('app', 'api'), (f) => /^route\.tsx?$/.test(path.basename(f)))) {
    const pattern = urlPattern(file);
    if (pattern === '/api/auth/[...nextauth]') continue; // next-auth's own handlers, not ours
    const handlers = (await import(pathToFileURL(path.resolve(file)).href)) as Record<string, unknown>;
    const methods = HTTP_METHODS.filter((m) => typeof handlers[m] === 'function');
    assert.ok(methods.length > 0, `${file} exports no HTTP method`);
    for (const m of methods) onDisk.add(`${m} ${pattern}`);
    assert.ok(pattern in V1_ROUTES, `${pattern} is missing from V1_ROUTES in tests/helpers/api.ts`);
  }
  const inTable = new Set(CASES.map((c) => `${c.method} ${c.pattern}`));
  assert.deepEqual([...onDisk].filter((r) => !inTable.has(r)).sort(), [], 'routes that exist but are not in the isolation table');
  assert.deepEqual([...inTable].filter((r) => !onDisk.has(r)).sort(), [], 'rows in the isolation table for routes that no longer exist');
  for (const c of CASES) assert.deepEqual(Object.keys(c.expect).sort(), [...ACTORS].sort(), `${c.method} ${c.pattern} must name every actor`);
});

// ── Server actions. An action needs a Next request context (cookies, headers, the next-auth session), so it
// cannot be called in-process; it is a thin runAction around one domain function, and every domain function
// is its own gate (issue 17). So: (1) every exported action is listed below with the domain function it
// wraps and the permission it relies on; (2) that domain function, called directly with each role's
// CurrentUser, admits and refuses exactly as the permission table and the tenant scopes say. runAction
// supplies the session user and answers UNAUTHENTICATED without one, so "anonymous" never reaches it.
type Guard = 'domain' | 'action' | 'self' | 'public';
type DomainCall = (user: CurrentUser, target: { id: string } | null, prepared: any) => Promise<unknown>;
type ActionRow = {
  file: string;
  action: string;
  domain: string | null;
  permission: Permission | 'public' | 'signed-in (own record)';
  guard: Guard;
  addresses?: 'request';
  call?: DomainCall;
  /** Made before the call (and before the snapshot a refusal is compared with): what the call acts on. */
  prepare?: () => Promise<unknown>;
  variant?: string;
};

const ACTIONS: ActionRow[] = [
  // These wrap the same domain functions as the tenant routes of the table above, which already run each
  // of them with every role on an own and another tenant; here they are checked to be listed and wired.
  { file: 'app/requests/[id]/apply-action.ts', action: 'applyRequestAction', domain: 'applyRequest', permission: 'config.apply', guard: 'domain' },
  { file: 'app/(console)/tenants/[slug]/actions.ts', action: 'rollbackAction', domain: 'rollbackConfig', permission: 'config.apply', guard: 'domain' },
  { file: 'app/(console)/tenants/[slug]/actions.ts', action: 'updatePipelineAction', domain: 'updatePipeline', permission: 'pipeline.manage', guard: 'domain' },
  { file: 'app/(console)/tenants/[slug]/actions.ts', action: 'retryDeadAction', domain: 'retryDeadLetters', permission: 'pipeline.manage', guard: 'domain' },
  { file: 'app/(console)/tenants/[slug]/actions.ts', action: 'createPipelineTokenAction', domain: 'createPipelineToken', permission: 'pipeline.manage', guard: 'domain' },
  { file: 'app/(console)/tenants/[slug]/actions.ts', action: 'revokePipelineTokenAction', domain: 'revokePipelineToken', permission: 'pipeline.manage', guard: 'domain' },
  {
    file: 'app/(portal)/portal/requests/new/actions.ts',
    action: 'createRequestAction',
    domain: 'createRequest',
    permission: 'request.create',
    guard: 'domain',
    call: (u) => createRequest(u, validRequestBody()),
  },
  {
    file: 'app/requests/[id]/actions.ts',
    action: 'updateRequestAction',
    domain: 'updateRequest',
    permission: 'request.edit',
    guard: 'domain',
    addresses: 'request',
    call: (u, r) => updateRequest(u, r!.id, { notes: 'edited through the action path' }),
  },
  {
    file: 'app/requests/[id]/actions.ts',
    action: 'addCommentAction',
    domain: 'addComment',
    permission: 'request.comment',
    guard: 'domain',
    addresses: 'request',
    call: (u, r) => addComment(u, r!.id, comment),
  },
  {
    file: 'app/requests/[id]/actions.ts',
    action: 'addCommentAction',
    variant: 'internal',
    domain: 'addComment',
    permission: 'request.comment.internal',
    guard: 'domain',
    addresses: 'request',
    call: (u, r) => addComment(u, r!.id, { ...comment, internal: true }),
  },
  {
    file: 'app/requests/[id]/actions.ts',
    action: 'transitionAction',
    variant: 'to in_review',
    domain: 'transitionRequest',
    permission: 'request.review',
    guard: 'domain',
    addresses: 'request',
    call: (u, r) => transitionRequest(u, r!.id, { to: 'in_review' }),
  },
  {
    file: 'app/requests/[id]/actions.ts',
    action: 'transitionAction',
    variant: 'to withdrawn',
    domain: 'transitionRequest',
    permission: 'request.withdraw',
    guard: 'domain',
    addresses: 'request',
    call: (u, r) => transitionRequest(u, r!.id, { to: 'withdrawn' }),
  },
  // The admin functions are their own gate (issue 17): called with the user, they check admin.manage.
  {
    file: 'app/(admin)/admin/actions.ts',
    action: 'createTenantAction',
    domain: 'createTenant',
    permission: 'admin.manage',
    guard: 'domain',
    call: (u) => createTenant(u, { slug: unique('act'), name: 'Via action path' }),
  },
  {
    file: 'app/(admin)/admin/actions.ts',
    action: 'assignTamAction',
    domain: 'assignTam',
    permission: 'admin.manage',
    guard: 'domain',
    prepare: () => makeUser('tam'),
    call: (u, _, tam) => assignTam(u, tam.email, other.tenant.slug),
  },
  {
    file: 'app/(admin)/admin/actions.ts',
    action: 'setUserDisabledAction',
    domain: 'setUserDisabled',
    permission: 'admin.manage',
    guard: 'domain',
    prepare: () => makeUser('auditor'),
    call: (u, _, user) => setUserDisabled(u, user.id, true),
  },
  {
    file: 'app/(admin)/admin/actions.ts',
    action: 'resetPasswordAction',
    domain: 'resetUserPassword',
    permission: 'admin.manage',
    guard: 'domain',
    prepare: () => makeUser('auditor'),
    call: (u, _, user) => resetUserPassword(u, user.id),
  },
  {
    file: 'app/(admin)/admin/actions.ts',
    action: 'setUserRoleAction',
    domain: 'setUserRole',
    permission: 'admin.manage',
    guard: 'domain',
    prepare: () => makeUser('auditor'),
    call: (u, _, user) => setUserRole(u, user.id, 'tam'),
  },
  {
    file: 'app/(admin)/admin/actions.ts',
    action: 'unassignTamAction',
    domain: 'unassignTam',
    permission: 'admin.manage',
    guard: 'domain',
    prepare: async () => {
      const tam = await makeUser('tam');
      await assignTam(SYSTEM_ACTOR, tam.email, other.tenant.slug);
      return tam;
    },
    call: (u, _, tam) => unassignTam(u, tam.id, other.tenant.id),
  },
  // Invitations: the domain functions check the permission and scope the tenant themselves.
  {
    file: 'app/invitations/actions.ts',
    action: 'inviteAction',
    domain: 'createInvitation',
    permission: 'invitation.manage',
    guard: 'domain',
    call: (u) =>
      createInvitation(
        u,
        { email: `${unique('inv')}@example.test`, name: 'Via action', role: 'customer-member', tenant: own.tenant.slug, locale: 'en' },
        { origin: 'http://relaydesk.test' },
      ),
  },
  {
    file: 'app/invitations/actions.ts',
    action: 'resendInvitationAction',
    domain: 'resendInvitation',
    permission: 'invitation.manage',
    guard: 'domain',
    call: async (u) => resendInvitation(u, (await invitationInOwnTenant()).id, { origin: 'http://relaydesk.test' }),
  },
  {
    file: 'app/invitations/actions.ts',
    action: 'revokeInvitationAction',
    domain: 'revokeInvitation',
    permission: 'invitation.manage',
    guard: 'domain',
    call: async (u) => revokeInvitation(u, (await invitationInOwnTenant()).id),
  },
  // The link's token is the credential: no session.
  {
    file: 'app/invitations/[token]/actions.ts',
    action: 'acceptInvitationAction',
    domain: 'acceptInvitation',
    permission: 'public',
    guard: 'public',
    call: async () => {
      const { email } = await invitationInOwnTenant();
      const token = /invitations\/(rdi_[\w-]+)/.exec((await readQueuedOwnMail(email)).at(-1)!.text)![1]!;
      await acceptInvitation(token, { password: TEST_PASSWORD, confirm: TEST_PASSWORD }, { ip: null, userAgent: null, requestId: null });
      assert.equal((await checkCredentials(email, TEST_PASSWORD, { ip: null, userAgent: null, requestId: null })).ok, true);
    },
  },
  {
    file: 'app/profile/actions.ts',
    action: 'createTokenAction',
    domain: 'createToken',
    permission: 'token.own',
    guard: 'action',
    call: async (u) => {
      requirePermission(u, 'token.own');
      const { token } = await createToken(u.id, 'via action path', actorOf(u));
      assert.equal((await findUserByToken(token))?.id, u.id, 'the new token is the caller’s');
    },
  },
  {
    file: 'app/profile/actions.ts',
    action: 'revokeTokenAction',
    domain: 'revokeToken',
    permission: 'token.own',
    guard: 'action',
    call: async (u) => {
      requirePermission(u, 'token.own');
      const mine = await createToken(u.id, 'mine', SYSTEM_ACTOR);
      await revokeToken(u.id, mine.id, actorOf(u));
      assert.equal(await findUserByToken(mine.token), null, 'revoked');
      // Someone else's token is not found, and keeps working.
      const theirs = await createToken(admin.id === u.id ? auditor.id : admin.id, 'theirs', SYSTEM_ACTOR);
      await assert.rejects(revokeToken(u.id, theirs.id, actorOf(u)), (e) => e instanceof AppError && e.code === 'NOT_FOUND');
      assert.ok(await findUserByToken(theirs.token), 'another user’s token survives');
    },
  },
  {
    file: 'app/sign-in/actions.ts',
    action: 'signInAction',
    domain: 'signIn',
    permission: 'public',
    guard: 'public',
    // next-auth's signIn runs the Credentials provider, whose authorize() is checkCredentials.
    call: async (u) => assert.deepEqual(await checkCredentials(u.email, TEST_PASSWORD, { ip: null, userAgent: null, requestId: null }), { ok: true, userId: u.id }),
  },
  {
    file: 'app/components/session-actions.ts',
    action: 'setLocaleAction',
    domain: 'saveUserLocale',
    permission: 'signed-in (own record)',
    guard: 'self',
    call: async (u) => {
      const bystander = await db.user.findUniqueOrThrow({ where: { id: other.admin.id }, select: { locale: true } });
      await saveUserLocale(u.id, 'zh-CN');
      assert.equal((await db.user.findUniqueOrThrow({ where: { id: u.id } })).locale, 'zh-CN');
      assert.deepEqual(await db.user.findUniqueOrThrow({ where: { id: other.admin.id }, select: { locale: true } }), bystander, 'only the caller’s own record changes');
      await saveUserLocale(u.id, 'en');
    },
  },
  {
    file: 'app/profile/actions.ts',
    action: 'changePasswordAction',
    domain: 'changeOwnPassword',
    permission: 'signed-in (own record)',
    guard: 'self',
    call: async (u) => {
      const bystander = await db.user.findUniqueOrThrow({ where: { id: other.admin.id }, select: { passwordHash: true } });
      const changed = `${TEST_PASSWORD}-changed`;
      await changeOwnPassword(u, { current: TEST_PASSWORD, next: changed, confirm: changed });
      await changeOwnPassword(u, { current: changed, next: TEST_PASSWORD, confirm: TEST_PASSWORD });
      assert.deepEqual(await db.user.findUniqueOrThrow({ where: { id: other.admin.id }, select: { passwordHash: true } }), bystander, 'only the caller’s own password changes');
    },
  },
  {
    file: 'app/(console)/sandbox/actions.ts',
    action: 'setSandboxModeAction',
    domain: 'setSandboxMode',
    permission: 'sandbox.configure',
    guard: 'domain',
    call: (u) => setSandboxMode(u, 'normal'),
  },
  {
    file: 'app/profile/actions.ts',
    action: 'signOutEverywhereAction',
    domain: 'endAllBrowserSessions',
    permission: 'signed-in (own record)',
    guard: 'self',
    call: async (u) => {
      const mine = await startBrowserSession(u.id);
      const theirs = await startBrowserSession(other.admin.id);
      await endAllBrowserSessions(u.id, actorOf(u), u.tenantId);
      assert.equal(await isBrowserSessionLive(mine.sid, u.id), false, 'the caller’s sessions end');
      assert.equal(await isBrowserSessionLive(theirs.sid, other.admin.id), true, 'only the caller’s');
    },
  },
  // next-auth's signOut clears the session cookie; there is no domain function of ours to call.
  { file: 'app/components/session-actions.ts', action: 'signOutAction', domain: 'signOut', permission: 'signed-in (own record)', guard: 'self' },
  {
    file: 'app/profile/actions.ts',
    action: 'saveTimeZoneAction',
    domain: 'saveUserTimeZone',
    permission: 'signed-in (own record)',
    guard: 'self',
    call: async (u) => {
      const bystander = await db.user.findUniqueOrThrow({ where: { id: other.admin.id }, select: { timeZone: true } });
      await saveUserTimeZone(u.id, 'Asia/Shanghai');
      assert.equal((await db.user.findUniqueOrThrow({ where: { id: u.id } })).timeZone, 'Asia/Shanghai');
      assert.deepEqual(await db.user.findUniqueOrThrow({ where: { id: other.admin.id }, select: { timeZone: true } }), bystander, 'only the caller’s own record changes');
      await saveUserTimeZone(u.id, null);
    },
  },
  // In-app notices and preferences: only the caller's own rows (docs/decisions/022).
  {
    file: 'app/notifications/actions.ts',
    action: 'markNoticeReadAction',
    domain: 'markNoticeRead',
    permission: 'signed-in (own record)',
    guard: 'self',
    call: async (u) => {
      const notice = (userId: string) =>
        db.inAppNotice.create({ data: { id: crypto.randomUUID(), userId, kind: 'request.taken', params: '{}', link: '/', createdAt: new Date() } });
      const [mine, theirs] = [await notice(u.id), await notice(other.admin.id)];
      await markNoticeRead(u.id, mine.id);
      assert.ok((await db.inAppNotice.findUniqueOrThrow({ where: { id: mine.id } })).readAt, 'the caller’s notice is read');
      await assert.rejects(markNoticeRead(u.id, theirs.id), (e) => e instanceof AppError && e.code === 'NOT_FOUND');
      assert.equal((await db.inAppNotice.findUniqueOrThrow({ where: { id: theirs.id } })).readAt, null, 'another user’s notice stays unread');
    },
  },
  {
    file: 'app/notifications/actions.ts',
    action: 'markAllNoticesReadAction',
    domain: 'markAllNoticesRead',
    permission: 'signed-in (own record)',
    guard: 'self',
    call: async (u) => {
      const theirs = await db.inAppNotice.create({
        data: { id: crypto.randomUUID(), userId: other.admin.id, kind: 'request.taken', params: '{}', link: '/', createdAt: new Date() },
      });
      await markAllNoticesRead(u.id);
      assert.equal(await db.inAppNotice.count({ where: { userId: u.id, readAt: null } }), 0);
      assert.equal((await db.inAppNotice.findUniqueOrThrow({ where: { id: theirs.id } })).readAt, null, 'another user’s notices stay unread');
    },
  },
  {
    file: 'app/profile/actions.ts',
    action: 'saveNotificationPreferencesAction',
    domain: 'savePreferences',
    permission: 'signed-in (own record)',
    guard: 'self',
    call: async (u) => {
      const [first] = await listPreferences(u);
      if (!first) return;
      const bystander = await db.notificationPreference.findMany({ where: { userId: other.admin.id } });
      await savePreferences(u, [{ kind: first.kind, mail: false, inApp: true }]);
      assert.equal((await listPreferences(u)).find((p) => p.kind === first.kind)?.mail, false);
      assert.deepEqual(await db.notificationPreference.findMany({ where: { userId: other.admin.id } }), bystander, 'only the caller’s own preferences change');
      await savePreferences(u, [{ kind: first.kind, mail: true, inApp: true }]);
    },
  },
  // Only a cookie of the caller's browser (the zone it reports), checked to be a real zone; no record changes.
  { file: 'app/components/session-actions.ts', action: 'reportBrowserTimeZoneAction', domain: 'isTimeZone', permission: 'public', guard: 'public' },
];

function isUseServerFile(source: string): boolean {
  const code = source.replace(/^(\s|\/\/[^\n]*\n|\/\*[\s\S]*?\*\/)*/, '');
  return /^['"]use server['"]/.test(code);
}

function exportedAsyncFunctions(source: string): string[] {
  return [...source.matchAll(/export\s+(?:async\s+function\s+(\w+)|const\s+(\w+)\s*=\s*async\b)/g)].map((m) => (m[1] ?? m[2])!);
}

test('every server action is in the actions table', () => {
  const sources = walk('app', (f) => /\.tsx?$/.test(f));
  const inline = sources.filter((f) => !isUseServerFile(readFileSync(f, 'utf8')) && /['"]use server['"]/.test(readFileSync(f, 'utf8')));
  assert.deepEqual(inline, [], 'inline server actions escape this table: move them into an actions.ts file');
  const files = sources.filter((f) => isUseServerFile(readFileSync(f, 'utf8')));
  const onDisk = new Set(files.flatMap((f) => exportedAsyncFunctions(readFileSync(f, 'utf8')).map((name) => `${f.split(path.sep).join('/')}#${name}`)));
  const inTable = new Set(ACTIONS.map((a) => `${a.file}#${a.action}`));
  assert.deepEqual([...onDisk].filter((a) => !inTable.has(a)).sort(), [], 'server actions that are not in the actions table');
  assert.deepEqual([...inTable].filter((a) => !onDisk.has(a)).sort(), [], 'actions table rows for actions that no longer exist');

  for (const row of ACTIONS) {
    assert.ok(row.permission in PERMISSIONS || row.guard === 'public' || row.guard === 'self', `${row.action}: unknown permission ${row.permission}`);
  }
});

const ROLE_ACTORS = ACTORS.filter((a): a is Exclude<Actor, 'anonymous'> => a !== 'anonymous');
const roleOf = (a: Exclude<Actor, 'anonymous'>): Role => USERS[a].role;

/** What the permission table and the scopes say: out of scope → NOT_FOUND first, then the role. */
function expectedOutcome(row: ActionRow, actor: Exclude<Actor, 'anonymous'>, scope: Scope | null): 'ok' | 'FORBIDDEN' | 'NOT_FOUND' {
  if (row.addresses === 'request') {
    const visible = actor === 'auditor' || actor === 'admin' || (scope === 'own' && actor !== 'unassigned TAM');
    if (!visible) return 'NOT_FOUND';
  }
  if (row.permission === 'public' || row.permission === 'signed-in (own record)') return 'ok';
  const role = roleOf(actor);
  // An internal comment is a comment first.
  if (row.permission === 'request.comment.internal' && !can(role, 'request.comment')) return 'FORBIDDEN';
  return can(role, row.permission) ? 'ok' : 'FORBIDDEN';
}

test('each action’s domain function admits and refuses each role as the permission table says', async (t) => {
  for (const row of ACTIONS.filter((a) => a.call)) {
    for (const actor of ROLE_ACTORS) {
      for (const scope of row.addresses ? (['own', 'other'] as const) : [null]) {
        const expected = expectedOutcome(row, actor, scope);
        const name = `${row.action}${row.variant ? ` (${row.variant})` : ''} → ${row.domain} [${row.permission}] · ${actor}${scope ? ` · ${scope} tenant` : ''} → ${expected}`;
        await t.test(name, async () => {
          const target = scope ? await requestIn(scope) : null;
          const prepared = await row.prepare?.();
          const before = await snapshot(target?.id ?? null);
          let outcome: string = 'ok';
          try {
            await row.call!(USERS[actor], target, prepared);
          } catch (error) {
            if (!(error instanceof AppError)) throw error;
            outcome = error.code;
          }
          assert.equal(outcome, expected);
          if (outcome !== 'ok') assert.deepEqual(await snapshot(target?.id ?? null), before, 'a refused action changes nothing');
        });
      }
    }
  }
});
