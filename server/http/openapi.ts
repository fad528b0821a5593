// The OpenAPI document of v1, built from the same zod schemas the routes parse with.
import { z } from 'zod';
import { NotificationIntakeSchema } from '@/server/pipeline/notification-schema';
import { PipelinePatchSchema } from '@/server/pipeline/manage-pipeline';
import { DeliveryListView, PipelineHealthView } from '@/server/pipeline/list-deliveries';
import { SmtpRequestSchema, SmtpRequestPatchSchema, CommentSchema, TransitionSchema, TestSendSchema } from '@/lib/smtp-request-schema';
import { RequestViewSchema } from '@/server/requests/request-view';
import { ConfigVersionViewSchema } from '@/server/config-versions/config-version-view';

const schema = (s: z.ZodType, io: 'input' | 'output' = 'input') => z.toJSONSchema(s, { io, unrepresentable: 'any' });

const RequestView = RequestViewSchema;
const VersionEntry = ConfigVersionViewSchema.extend({ canary: z.object({ status: z.string(), lastReply: z.string().nullable(), at: z.string().nullable() }).nullable() });

const Comment = z.object({
  id: z.string(),
  body: z.string(),
  internal: z.boolean(),
  author: z.object({ name: z.string(), role: z.string(), staff: z.boolean() }),
  createdAt: z.string(),
});

const STEPS = ['token', 'dns', 'connect', 'greeting', 'ehlo', 'starttls', 'tls', 'auth', 'mail', 'rcpt', 'relay', 'data', 'quit'] as const;
const ProbeRun = z.object({
  id: z.string(),
  kind: z.enum(['validate', 'test-send']),
  byCustomer: z.boolean(),
  ok: z.boolean(),
  fingerprint: z.string(),
  matchesCurrentConfig: z.boolean(),
  recipient: z.string(),
  startedAt: z.string(),
  durationMs: z.number().int(),
  steps: z.array(
    z.object({
      step: z.enum(STEPS),
      ok: z.boolean(),
      ms: z.number(),
      reply: z.string(),
      detail: z.string(),
      hint: z.object({ code: z.string(), params: z.record(z.string(), z.union([z.string(), z.number()])) }).nullable(),
      field: z.string().nullable(),
    }),
  ),
  transcript: z.array(z.object({ at: z.number(), dir: z.enum(['C', 'S', '*']), text: z.string() })),
  tls: z.unknown().nullable(),
  capabilities: z.array(z.string()).nullable(),
  messageId: z.string().nullable(),
  finalReply: z.string().nullable(),
});

const Problem = z.object({
  type: z.string(),
  status: z.number().int(),
  title: z.string(),
  detail: z.string(),
  code: z.string().optional(),
  errors: z.array(z.object({ path: z.string(), message: z.string(), code: z.string() })).optional(),
});

const problemResponses = Object.fromEntries(
  [400, 401, 403, 404, 409, 413, 415, 422, 429].map((s) => [s, { description: 'Problem', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } }]),
);
const ok = (ref: string, status = 200) => ({ [status]: { description: 'OK', content: { 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } } }, ...problemResponses });
const body = (ref: string) => ({ required: true, content: { 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } } });
const idParam = [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }];
const slugParam = [{ name: 'slug', in: 'path', required: true, schema: { type: 'string' } }];

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
        SmtpRequestCreate: schema(SmtpRequestSchema),
        SmtpRequestPatch: schema(SmtpRequestPatchSchema),
        SmtpRequest: schema(RequestView, 'output'),
        ConfigVersion: schema(ConfigVersionViewSchema, 'output'),
        SmtpConfig: schema(z.object({ active: VersionEntry.nullable(), versions: z.array(VersionEntry) }), 'output'),
        SmtpRequestList: schema(z.object({ items: z.array(RequestView), nextCursor: z.string().nullable() }), 'output'),
        Comment: schema(Comment, 'output'),
        CommentList: schema(z.object({ items: z.array(Comment) }), 'output'),
        CommentCreate: schema(CommentSchema),
        Transition: schema(TransitionSchema),
        ChainReport: schema(z.object({ ok: z.boolean(), checked: z.number().int(), firstBrokenSeq: z.number().int().nullable(), checkpoints: z.number().int(), reason: z.literal('checkpoints-of-another-database').optional() }), 'output'),
        ProbeRun: schema(ProbeRun, 'output'),
        ProbeRunList: schema(z.object({ items: z.array(ProbeRun) }), 'output'),
        TestSend: schema(TestSendSchema),
        NotificationCreate: schema(NotificationIntakeSchema),
        PipelinePatch: schema(PipelinePatchSchema),
        DeliveryList: schema(DeliveryListView, 'output'),
        PipelineHealth: schema(PipelineHealthView, 'output'),
        Rollback: schema(z.object({ version: z.number().int().positive() })),
        Problem: schema(Problem, 'output'),
      },
    },
    security: [{ bearer: [] }],
    paths: {
      '/api/v1/smtp-requests': {
        get: {
          summary: 'List requests visible to you',
          parameters: ['status', 'tenant', 'cursor', 'limit', 'order'].map((name) => ({ name, in: 'query', required: false, schema: { type: 'string' } })),
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
        post: { summary: 'Validate against the live server (assigned TAM). Accept: application/x-ndjson streams {type:"step"} lines, then {type:"run"}', parameters: idParam, responses: ok('ProbeRun') },
      },
      '/api/v1/smtp-requests/{id}/test-send': {
        post: { summary: 'Send the test email (assigned TAM); `to` is the test recipient (default) or your own address', parameters: idParam, requestBody: body('TestSend'), responses: ok('ProbeRun') },
      },
      '/api/v1/smtp-checks': {
        post: {
          summary:
            'Check settings before filing (customer admin): a validation of the settings in the body (the request’s fields, secrets included), no mail sent, not attached to a request until a request with exactly these settings is filed. Same destination guard and budgets as a TAM’s check. Accept: application/x-ndjson streams {type:"step"} lines, then {type:"run"}',
          requestBody: body('SmtpRequestCreate'),
          responses: ok('ProbeRun'),
        },
      },
      '/api/v1/smtp-requests/{id}/check': {
        post: { summary: 'Check a request’s stored settings (customer admin of its tenant, while submitted or needs_info): a validation, no mail sent. Accept: application/x-ndjson streams {type:"step"} lines, then {type:"run"}', parameters: idParam, responses: ok('ProbeRun') },
      },
      '/api/v1/smtp-requests/{id}/probe-runs': { get: { summary: 'Probe runs of a request, newest first (staff)', parameters: idParam, responses: ok('ProbeRunList') } },
      '/api/v1/probe-runs/{id}/bundle': { get: { summary: 'Diagnostics bundle (TAM, auditor)', parameters: idParam, responses: { 200: { description: 'JSON attachment' }, ...problemResponses } } },
      '/api/v1/smtp-requests/{id}/apply': {
        post: { summary: 'Apply: the request’s configuration becomes the tenant’s next version (assigned TAM; needs a passing test email of this exact configuration)', parameters: idParam, responses: ok('ConfigVersion', 201) },
      },
      '/api/v1/tenants/{slug}/smtp-config': { get: { summary: '{ active, versions } of a tenant (no secret, only whether each is set)', parameters: slugParam, responses: ok('SmtpConfig') } },
      '/api/v1/tenants/{slug}/smtp-config/rollback': {
        post: { summary: 'Roll back: version N+1 with the content of an earlier version (assigned TAM)', parameters: slugParam, requestBody: body('Rollback'), responses: ok('ConfigVersion', 201) },
      },
      '/api/v1/tenants/{slug}/notifications': {
        post: {
          summary: 'Enqueue one notification, or { notifications: [≤ 500] } (the hosting service, with the tenant’s pipeline token); 202 once stored; 200 with the originals when every idempotencyKey repeats one of the last 7 days',
          parameters: slugParam,
          security: [{ pipelineToken: [] }],
          requestBody: body('NotificationCreate'),
          responses: { 202: { description: '{ id, messageId }, or { items: [{ id, messageId }] } for a batch' }, 200: { description: 'Only repeated idempotency keys: the original { id, messageId } (or items); nothing enqueued' }, ...problemResponses },
        },
      },
      '/api/v1/tenants/{slug}/deliveries': {
        get: { summary: 'Delivery log, newest first', parameters: [...slugParam, ...['status', 'cursor'].map((name) => ({ name, in: 'query', required: false, schema: { type: 'string' } }))], responses: ok('DeliveryList') },
      },
      '/api/v1/tenants/{slug}/deliveries/{id}/retry': { post: { summary: 'Retry a dead letter (TAM, admin)', parameters: [...slugParam, ...idParam], responses: { 200: { description: '{ retried }' }, ...problemResponses } } },
      '/api/v1/tenants/{slug}/pipeline': {
        get: { summary: 'Delivery health: last 24 h, last error, active or paused', parameters: slugParam, responses: ok('PipelineHealth') },
        patch: { summary: 'Pause, resume, connection and rate limits (TAM, admin)', parameters: slugParam, requestBody: body('PipelinePatch'), responses: { 200: { description: 'OK' }, ...problemResponses } },
      },
      '/api/v1/tenants/{slug}/pipeline-tokens': {
        get: { summary: 'Pipeline tokens (TAM, admin)', parameters: slugParam, responses: { 200: { description: 'OK' }, ...problemResponses } },
        post: { summary: 'Create a pipeline token, shown once (TAM, admin)', parameters: slugParam, responses: { 201: { description: '{ id, token }' }, ...problemResponses } },
      },
      '/api/v1/tenants/{slug}/pipeline-tokens/{id}': { delete: { summary: 'Revoke a pipeline token', parameters: [...slugParam, ...idParam], responses: { 200: { description: 'OK' }, ...problemResponses } } },
      '/api/v1/audit-events': {
        get: {
          summary: 'Audit events, newest first (auditor)',
          parameters: ['tenant', 'actor', 'action', 'target', 'from', 'to', 'cursor', 'limit'].map((name) => ({ name, in: 'query', required: false, schema: { type: 'string' } })),
          responses: { 200: { description: '{ items, nextCursor }' }, ...problemResponses },
        },
      },
      '/api/v1/audit-events/export': { get: { summary: 'Export the filter, streamed (auditor); format=csv|jsonl', responses: { 200: { description: 'CSV or JSON Lines attachment' }, ...problemResponses } } },
      '/api/health': { get: { summary: 'Liveness', security: [], responses: { 200: { description: '{ ok: true }' } } } },
      '/api/v1/audit-events/verify': { get: { summary: 'Verify the audit chain (auditor). Accept: application/x-ndjson streams {type:"progress",progress:{checked,total}} lines, then {type:"report"}', responses: ok('ChainReport') } },
      '/api/v1/openapi.json': { get: { summary: 'This document', security: [], responses: { 200: { description: 'OpenAPI 3.1' } } } },
    },
  };
}
