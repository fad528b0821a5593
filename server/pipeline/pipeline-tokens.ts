import 'server-only';
// Pipeline tokens: the hosting service's credential for one tenant's notification intake. Shown once,
// stored as a SHA-256 hash, created and revoked by the tenant's TAM or an admin (or the admin CLI).
import { randomBytes, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { db } from '../db';
import { AppError } from '../app-error';
import { hashToken } from '../auth/tokens';
import type { CurrentUser, RequestMeta } from '../auth/current-user';
import { recordEvent, type Actor } from '../audit/record-event';
import { actorOf } from '../audit/actor';
import { findVisibleTenant } from '../tenants/find-visible-tenant';

export const PIPELINE_TOKEN_PREFIX = 'rdp_';

export const PipelineTokenViewSchema = z.object({ id: z.string(), prefix: z.string(), createdAt: z.string(), revokedAt: z.string().nullable() });
export type PipelineTokenView = z.infer<typeof PipelineTokenViewSchema>;
/** The answer to creating a token: the only time the token itself is shown. */
export const CreatedPipelineTokenSchema = z.object({ id: z.string(), token: z.string(), prefix: z.string() });

async function insertToken(tenantId: string, createdById: string | null, actor: Actor): Promise<z.infer<typeof CreatedPipelineTokenSchema>> {
  const token = PIPELINE_TOKEN_PREFIX + randomBytes(32).toString('base64url');
  const id = randomUUID();
  const prefix = token.slice(0, 10);
  await db.$transaction(async (tx) => {
    await tx.pipelineToken.create({ data: { id, tenantId, tokenHash: hashToken(token), prefix, createdById } });
    await recordEvent(tx, actor, { action: 'pipeline_token.created', tenantId, targetType: 'pipeline-token', targetId: id, after: { prefix } });
  });
  return { id, token, prefix };
}

export async function createPipelineToken(user: CurrentUser, slug: string, meta?: RequestMeta) {
  const tenant = await findVisibleTenant(user, slug, 'pipeline.manage');
  return insertToken(tenant.id, user.id, actorOf(user, meta));
}

/** For `npm run admin -- create-pipeline-token --tenant S`: prints the returned token. */
export async function createPipelineTokenForTenant(actor: Actor, slug: string): Promise<{ id: string; token: string; tenant: string }> {
  const tenant = await db.tenant.findUnique({ where: { slug: slug.trim() } });
  if (!tenant) throw new AppError('NOT_FOUND', `No tenant "${slug}".`, { errors: [{ path: 'tenant', message: 'tenantUnknown' }] });
  const { id, token } = await insertToken(tenant.id, null, actor);
  return { id, token, tenant: tenant.slug };
}

export async function listPipelineTokens(user: CurrentUser, slug: string): Promise<PipelineTokenView[]> {
  const tenant = await findVisibleTenant(user, slug, 'pipeline.manage');
  const rows = await db.pipelineToken.findMany({ where: { tenantId: tenant.id }, orderBy: { createdAt: 'desc' } });
  return rows.map((r) => ({ id: r.id, prefix: r.prefix, createdAt: r.createdAt.toISOString(), revokedAt: r.revokedAt?.toISOString() ?? null }));
}

export async function revokePipelineToken(user: CurrentUser, slug: string, tokenId: string, meta?: RequestMeta): Promise<void> {
  const tenant = await findVisibleTenant(user, slug, 'pipeline.manage');
  await db.$transaction(async (tx) => {
    const { count } = await tx.pipelineToken.updateMany({ where: { id: tokenId, tenantId: tenant.id, revokedAt: null }, data: { revokedAt: new Date() } });
    if (count === 0) throw new AppError('NOT_FOUND', 'No such token.');
    await recordEvent(tx, actorOf(user, meta), { action: 'pipeline_token.revoked', tenantId: tenant.id, targetType: 'pipeline-token', targetId: tokenId });
  });
}

export type PipelineTokenOwner = {
  tenantId: string;
  tokenId: string;
  slug: string;
  /** The tenant's active configuration version (what intake stamps on a notification), or null. */
  active: { version: number; noReplyAddress: string } | null;
};

/** The tenant a Bearer pipeline token belongs to, or null (unknown, revoked, not a pipeline token). */
export async function tenantOfPipelineToken(token: string): Promise<PipelineTokenOwner | null> {
  if (!token.startsWith(PIPELINE_TOKEN_PREFIX)) return null;
  // One indexed lookup with the tenant's slug and its active version joined: every intake call pays for
  // this query, and needs nothing else before it writes.
  const rows = await db.$queryRaw<{ tokenId: string; tenantId: string; slug: string; version: number | bigint | null; noReplyAddress: string | null }[]>`
    SELECT p."id" AS "tokenId", p."tenantId" AS "tenantId", t."slug" AS "slug", c."version" AS "version", c."noReplyAddress" AS "noReplyAddress"
    FROM "PipelineToken" p
    JOIN "Tenant" t ON t."id" = p."tenantId"
    LEFT JOIN "TenantPipeline" tp ON tp."tenantId" = p."tenantId"
    LEFT JOIN "ConfigVersion" c ON c."tenantId" = p."tenantId" AND c."version" = tp."activeVersion"
    WHERE p."tokenHash" = ${hashToken(token)} AND p."revokedAt" IS NULL`;
  const row = rows[0];
  if (!row) return null;
  const active = row.version !== null && row.noReplyAddress !== null ? { version: Number(row.version), noReplyAddress: row.noReplyAddress } : null;
  return { tenantId: row.tenantId, tokenId: row.tokenId, slug: row.slug, active };
}
