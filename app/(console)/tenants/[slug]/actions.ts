'use server';
import { revalidatePath } from 'next/cache';
import { runAction } from '@/server/http/action';
import { rollbackConfig } from '@/server/config-versions/rollback-config';
import { updatePipeline, retryDeadLetters, type PipelinePatch } from '@/server/pipeline/manage-pipeline';
import { createPipelineToken, revokePipelineToken } from '@/server/pipeline/pipeline-tokens';

const page = (slug: string) => `/tenants/${slug}`;

export async function rollbackAction(slug: string, version: number) {
  const result = await runAction(async (user, meta) => ({ version: (await rollbackConfig(user, slug, { version }, meta)).version }));
  if (result.ok) revalidatePath(page(slug));
  return result;
}

export async function updatePipelineAction(slug: string, patch: PipelinePatch) {
  const result = await runAction(async (user, meta) => {
    await updatePipeline(user, slug, patch, meta);
    return null;
  });
  if (result.ok) revalidatePath(page(slug));
  return result;
}

export async function retryDeadAction(slug: string, notificationId: string | null) {
  const result = await runAction(async (user, meta) => retryDeadLetters(user, slug, notificationId, meta));
  if (result.ok) revalidatePath(page(slug));
  return result;
}

export async function createPipelineTokenAction(slug: string) {
  const result = await runAction(async (user, meta) => ({ token: (await createPipelineToken(user, slug, meta)).token }));
  if (result.ok) revalidatePath(page(slug));
  return result;
}

export async function revokePipelineTokenAction(slug: string, id: string) {
  const result = await runAction(async (user, meta) => {
    await revokePipelineToken(user, slug, id, meta);
    return null;
  });
  if (result.ok) revalidatePath(page(slug));
  return result;
}
