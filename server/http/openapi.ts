// The OpenAPI document of v1, built from the same zod schemas the routes parse requests with and the domain
// shapes its answers with: no shape is copied here by hand (tests/integration/openapi-responses.test.ts
// holds every real answer of the isolation table against it).
import { z } from 'zod';
import { EnqueuedSchema, IntakeAnswerSchema, NotificationIntakeSchema } from '@/server/pipeline/notification-schema';
import { PipelinePatchSchema, RetriedSchema } from '@/server/pipeline/manage-pipeline';
import { DeliveryListView, PipelineHealthView } from '@/server/pipeline/list-deliveries';
import { CreatedPipelineTokenSchema, PipelineTokenViewSchema } from '@/server/pipeline/pipeline-tokens';
import { ApplySchema, SmtpRequestSchema, SmtpRequestPatchSchema, CommentSchema, TransitionSchema, TestSendSchema } from '@/lib/smtp-request-schema';
import { RequestViewSchema } from '@/server/requests/request-view';
import { RequestPageSchema } from '@/server/requests/list-requests';
import { CommentViewSchema } from '@/server/requests/comments';
import { ConfigVersionViewSchema } from '@/server/config-versions/config-version-view';
import { SmtpConfigViewSchema } from '@/server/config-versions/list-config-versions';
import { RollbackSchema } from '@/server/config-versions/rollback-config';
import { ProbeRunViewSchema, ProbeStepSchema } from '@/server/probes/probe-run-view';
import { DiagnosticsBundleSchema } from '@/server/probes/diagnostics-bundle';
import { AuditEventPageSchema, AuditEventViewSchema } from '@/server/audit/list-events';
import { ChainReportSchema, VerifyProgressSchema } from '@/server/audit/verify-chain';
import { ReadinessSchema } from '@/server/ops/readiness';
import { MarkedReadSchema, NoticePageSchema } from '@/server/notifications/in-app-notices';
import { ProblemSchema } from './problem';

const schema = (s: z.ZodType, io: 'input' | 'output' = 'input') => {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(s, { io, unrepresentable: 'any' });
  return rest;
};
/** A line of a streamed answer (Accept: application/x-ndjson): { type: progress, [progress]: … } per step, then the result, or an error. */
const streamLine = (progress: string, progressSchema: z.ZodType, result: string, resultSchema: z.ZodType) =>
  z.union([
    z.object({ type: z.literal(progress), [progress]: progressSchema }),
    z.object({ type: z.literal(result), [result]: resultSchema }),
    z.object({ type: z.literal('error'), problem: ProblemSchema }),
  ]);

/** Every component, by name: the request bodies (input) and the answers (output). */
const REQUESTS = {
  SmtpRequestCreate: SmtpRequestSchema,
  SmtpRequestPatch: SmtpRequestPatchSchema,
  CommentCreate: CommentSchema,
  Transition: TransitionSchema,
  TestSend: TestSendSchema,
  Apply: ApplySchema,
  NotificationCreate: NotificationIntakeSchema,
  PipelinePatch: PipelinePatchSchema,
  Rollback: RollbackSchema,
};
const ANSWERS = {
  SmtpRequest: RequestViewSchema,
  SmtpRequestList: RequestPageSchema,
  ConfigVersion: ConfigVersionViewSchema,
  SmtpConfig: SmtpConfigViewSchema,
  Comment: CommentViewSchema,
  CommentList: z.object({ items: z.array(CommentViewSchema) }),
  ProbeRun: ProbeRunViewSchema,
  ProbeRunList: z.object({ items: z.array(ProbeRunViewSchema) }),
  ProbeRunStreamLine: streamLine('step', ProbeStepSchema, 'run', ProbeRunViewSchema),
  DiagnosticsBundle: DiagnosticsBundleSchema,
  AuditEvent: AuditEventViewSchema,
  AuditEventList: AuditEventPageSchema,
  ChainReport: ChainReportSchema,
  ChainReportStreamLine: streamLine('progress', VerifyProgressSchema, 'report', ChainReportSchema),
  Enqueued: EnqueuedSchema,
  IntakeAnswer: IntakeAnswerSchema,
  DeliveryList: DeliveryListView,
  Retried: RetriedSchema,
  PipelineHealth: PipelineHealthView,
  PipelineToken: PipelineTokenViewSchema,
  PipelineTokenList: z.object({ items: z.array(PipelineTokenViewSchema) }),
  PipelineTokenCreated: CreatedPipelineTokenSchema,
  Readiness: ReadinessSchema,
  NoticeList: NoticePageSchema,
  MarkedRead: MarkedReadSchema,
  Problem: ProblemSchema,
};
type Component = keyof typeof REQUESTS | keyof typeof ANSWERS;

const ref = (name: Component) => ({ $ref: `#/components/schemas/${name}` });
const PROBLEM_STATUSES = [400, 401, 403, 404, 409, 413, 415, 422, 429, 500];
const problems = Object.fromEntries(PROBLEM_STATUSES.map((s) => [s, { description: 'Problem (RFC 9457)', content: { 'application/problem+json': { schema: ref('Problem') } } }]));
const answer = (name: Component, status = 200, description = 'OK') => ({ [status]: { description, content: { 'application/json': { schema: ref(name) } } } });
const ok = (name: Component, status = 200) => ({ ...answer(name, status), ...problems });
/** A slow answer: JSON by default, or streamed lines with Accept: application/x-ndjson. */
const streamed = (name: Component, line: Component) => ({
  200: { description: 'OK', content: { 'application/json': { schema: ref(name) }, 'application/x-ndjson': { schema: ref(line) } } },
  ...problems,
});
const body = (name: Component, required = true) => ({ required, content: { 'application/json': { schema: ref(name) } } });
const idParam = [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }];
const slugParam = [{ name: 'slug', in: 'path', required: true, schema: { type: 'string' } }];
const query = (...names: string[]) => names.map((name) => ({ name, in: 'query', required: false, schema: { type: 'string' } }));

export function openApiDocument() {
  return {
    openapi: '3.1.0',
    info: { title: 'Relaydesk API', version: '1' },
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'Personal access token (profile page, or `npm run admin -- create-token`)' },
        pipelineToken: { type: 'http', scheme: 'bearer', description: 'Tenant pipeline token (tenant page, or `npm run admin -- create-pipeline-token`)' },
      },
      schemas: {
        ...Object.fromEntries(Object.entries(REQUESTS).map(([name, s]) => [name, schema(s, 'input')])),
        ...Object.fromEntries(Object.entries(ANSWERS).map(([name, s]) => [name, schema(s, 'output')])),
      },
    },
    security: [{ bearer: [] }],
    paths: {
      '/api/v1/smtp-requests': {
        get: {
          summary: 'List requests visible to you',
          parameters: query('status', 'tenant', 'cursor', 'limit', 'order', 'open', 'q', 'mine', 'waiting'),
          responses: ok('SmtpRequestList'),
        },
        post: { summary: 'File a request (customer admin)', requestBody: body('SmtpRequestCreate'), responses: ok('SmtpRequest', 201) },
      },
      '/api/v1/smtp-requests/{id}': {
        get: { summary: 'One request', parameters: idParam, responses: ok('SmtpRequest') },
        patch: { summary: 'Edit while submitted or needs_info (customer admin)', parameters: idParam, requestBody: body('SmtpRequestPatch'), responses: ok('SmtpRequest') },
      },
      '/api/v1/smtp-requests/{id}/comments': {
        get: { summary: 'The thread, oldest first', parameters: idParam, responses: ok('CommentList') },
        post: { summary: 'Comment (internal: staff only)', parameters: idParam, requestBody: body('CommentCreate'), responses: ok('Comment', 201) },
      },
      '/api/v1/smtp-requests/{id}/transitions': {
        post: { summary: 'Move the request', parameters: idParam, requestBody: body('Transition'), responses: ok('SmtpRequest') },
      },
      '/api/v1/smtp-requests/{id}/validate': {
        post: {
          summary: 'Validate against the live server (assigned TAM). Accept: application/x-ndjson streams {type:"step"} lines, then {type:"run"}',
          parameters: idParam,
          responses: streamed('ProbeRun', 'ProbeRunStreamLine'),
        },
      },
      '/api/v1/smtp-requests/{id}/test-send': {
        post: {
          summary:
            'Send the test email (assigned TAM); `to` is the test recipient (default) or your own address. Accept: application/x-ndjson streams {type:"step"} lines, then {type:"run"}',
          parameters: idParam,
          requestBody: body('TestSend', false),
          responses: streamed('ProbeRun', 'ProbeRunStreamLine'),
        },
      },
      '/api/v1/smtp-checks': {
        post: {
          summary:
            'Check settings before filing (customer admin): a validation of the settings in the body (the request’s fields, secrets included), no mail sent, not attached to a request until a request with exactly these settings is filed. Same destination guard and budgets as a TAM’s check. Accept: application/x-ndjson streams {type:"step"} lines, then {type:"run"}',
          requestBody: body('SmtpRequestCreate'),
          responses: streamed('ProbeRun', 'ProbeRunStreamLine'),
        },
      },
      '/api/v1/smtp-requests/{id}/check': {
        post: {
          summary:
            'Check a request’s stored settings (customer admin of its tenant, while submitted or needs_info): a validation, no mail sent. Accept: application/x-ndjson streams {type:"step"} lines, then {type:"run"}',
          parameters: idParam,
          responses: streamed('ProbeRun', 'ProbeRunStreamLine'),
        },
      },
      '/api/v1/smtp-requests/{id}/probe-runs': { get: { summary: 'Probe runs of a request, newest first (staff)', parameters: idParam, responses: ok('ProbeRunList') } },
      '/api/v1/probe-runs/{id}/bundle': { get: { summary: 'Diagnostics bundle, a JSON attachment (TAM, auditor)', parameters: idParam, responses: ok('DiagnosticsBundle') } },
      '/api/v1/smtp-requests/{id}/apply': {
        post: {
          summary:
            'Apply: the request’s configuration becomes the tenant’s next version (assigned TAM; needs a passing test email of this exact configuration). Optional { force: true, reason } applies over a later failed check (audited)',
          parameters: idParam,
          requestBody: body('Apply', false),
          responses: ok('ConfigVersion', 201),
        },
      },
      '/api/v1/tenants/{slug}/smtp-config': {
        get: { summary: '{ active, versions } of a tenant (no secret, only whether each is set)', parameters: slugParam, responses: ok('SmtpConfig') },
      },
      '/api/v1/tenants/{slug}/smtp-config/rollback': {
        post: {
          summary: 'Roll back: version N+1 with the content of an earlier version (assigned TAM)',
          parameters: slugParam,
          requestBody: body('Rollback'),
          responses: ok('ConfigVersion', 201),
        },
      },
      '/api/v1/tenants/{slug}/notifications': {
        post: {
          summary:
            'Enqueue one notification, or { notifications: [≤ 500] } (the hosting service, with the tenant’s pipeline token); 202 once stored; 200 with the originals when every idempotencyKey repeats one of the last 7 days',
          parameters: slugParam,
          security: [{ pipelineToken: [] }],
          requestBody: body('NotificationCreate'),
          responses: {
            ...answer('IntakeAnswer', 202, 'Stored: { id, messageId }, or { items: [{ id, messageId }] } for a batch'),
            ...answer('IntakeAnswer', 200, 'Only repeated idempotency keys: the original { id, messageId } (or items); nothing enqueued'),
            ...problems,
          },
        },
      },
      '/api/v1/tenants/{slug}/deliveries': {
        get: { summary: 'Delivery log, newest first', parameters: [...slugParam, ...query('status', 'cursor', 'limit')], responses: ok('DeliveryList') },
      },
      '/api/v1/tenants/{slug}/deliveries/{id}/retry': { post: { summary: 'Retry a dead letter (TAM, admin)', parameters: [...slugParam, ...idParam], responses: ok('Retried') } },
      '/api/v1/tenants/{slug}/pipeline': {
        get: { summary: 'Delivery health: last 24 h, last error, active or paused', parameters: slugParam, responses: ok('PipelineHealth') },
        patch: {
          summary: 'Pause, resume, connection and rate limits (TAM, admin); answers the health after the change',
          parameters: slugParam,
          requestBody: body('PipelinePatch'),
          responses: ok('PipelineHealth'),
        },
      },
      '/api/v1/tenants/{slug}/pipeline-tokens': {
        get: { summary: 'Pipeline tokens (TAM, admin)', parameters: slugParam, responses: ok('PipelineTokenList') },
        post: { summary: 'Create a pipeline token, shown once (TAM, admin)', parameters: slugParam, responses: ok('PipelineTokenCreated', 201) },
      },
      '/api/v1/tenants/{slug}/pipeline-tokens/{id}': {
        delete: { summary: 'Revoke a pipeline token', parameters: [...slugParam, ...idParam], responses: { 204: { description: 'Revoked' }, ...problems } },
      },
      '/api/v1/notices': {
        get: { summary: 'Your own in-app notices, newest first, and how many are unread', parameters: query('cursor', 'limit'), responses: ok('NoticeList') },
      },
      '/api/v1/notices/{id}/read': { post: { summary: 'Mark one of your notices read', parameters: idParam, responses: { 204: { description: 'Read' }, ...problems } } },
      '/api/v1/notices/read-all': { post: { summary: 'Mark all your notices read; answers how many were unread', responses: ok('MarkedRead') } },
      '/api/v1/audit-events': {
        get: {
          summary: 'Audit events, newest first (auditor)',
          parameters: query('tenant', 'actor', 'action', 'target', 'from', 'to', 'cursor', 'limit'),
          responses: ok('AuditEventList'),
        },
      },
      '/api/v1/audit-events/export': {
        get: {
          summary: 'Export the filter, streamed (auditor); format=csv|jsonl',
          parameters: query('format', 'tenant', 'actor', 'action', 'target', 'from', 'to'),
          responses: {
            200: {
              description: 'CSV, or JSON Lines (one audit event a line), as an attachment',
              content: { 'text/csv': { schema: { type: 'string' } }, 'application/x-ndjson': { schema: ref('AuditEvent') } },
            },
            ...problems,
          },
        },
      },
      '/api/v1/audit-events/verify': {
        get: {
          summary: 'Verify the audit chain (auditor). Accept: application/x-ndjson streams {type:"progress",progress:{checked,total}} lines, then {type:"report"}',
          responses: streamed('ChainReport', 'ChainReportStreamLine'),
        },
      },
      '/api/health': {
        get: {
          summary: 'Readiness: 200 when the database answers and is migrated, else 503',
          security: [],
          responses: { ...answer('Readiness'), ...answer('Readiness', 503, 'Not ready') },
        },
      },
      '/api/v1/openapi.json': {
        get: { summary: 'This document', security: [], responses: { 200: { description: 'OpenAPI 3.1', content: { 'application/json': { schema: { type: 'object' } } } } } },
      },
    },
  };
}
