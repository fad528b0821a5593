'use server';
import { revalidatePath } from 'next/cache';
import { runAction } from '@/server/http/action';
import { requirePermission } from '@/server/authz/scopes';
import { actorOf } from '@/server/audit/actor';
import { createTenant, assignTam, unassignTam, setUserRole, setUserDisabled, resetUserPassword } from '@/server/admin/manage-tenants';

function done<T>(result: T): T {
  revalidatePath('/admin');
  return result;
}

export async function createTenantAction(input: { slug: string; name: string }) {
  return done(
    await runAction(async (user, meta) => {
      requirePermission(user, 'admin.manage');
      await createTenant(actorOf(user, meta), input);
      return undefined;
    }),
  );
}

export async function assignTamAction(input: { tam: string; tenant: string }) {
  return done(
    await runAction(async (user, meta) => {
      requirePermission(user, 'admin.manage');
      await assignTam(actorOf(user, meta), input.tam, input.tenant);
      return undefined;
    }),
  );
}

export async function unassignTamAction(input: { tamId: string; tenantId: string }) {
  return done(
    await runAction(async (user, meta) => {
      requirePermission(user, 'admin.manage');
      await unassignTam(actorOf(user, meta), input.tamId, input.tenantId);
      return undefined;
    }),
  );
}

export async function setUserRoleAction(input: { userId: string; role: string }) {
  return done(
    await runAction(async (user, meta) => {
      requirePermission(user, 'admin.manage');
      await setUserRole(actorOf(user, meta), input.userId, input.role);
      return undefined;
    }),
  );
}

export async function setUserDisabledAction(input: { userId: string; disabled: boolean }) {
  return done(
    await runAction(async (user, meta) => {
      requirePermission(user, 'admin.manage');
      await setUserDisabled(actorOf(user, meta), input.userId, input.disabled);
      return undefined;
    }),
  );
}

export async function resetPasswordAction(input: { userId: string }) {
  return runAction(async (user, meta) => {
    requirePermission(user, 'admin.manage');
    return (await resetUserPassword(actorOf(user, meta), input.userId)).password;
  });
}
