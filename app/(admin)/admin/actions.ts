'use server';
import { revalidatePath } from 'next/cache';
import { runAction } from '@/server/http/action';
import { createTenant, assignTam, unassignTam, setUserRole, setUserDisabled, resetUserPassword } from '@/server/admin/manage-tenants';

function done<T>(result: T): T {
  revalidatePath('/admin');
  return result;
}

export async function createTenantAction(input: { slug: string; name: string }) {
  return done(
    await runAction(async (user, meta) => {
      await createTenant(user, input, meta);
      return undefined;
    }),
  );
}

export async function assignTamAction(input: { tam: string; tenant: string }) {
  return done(
    await runAction(async (user, meta) => {
      await assignTam(user, input.tam, input.tenant, meta);
      return undefined;
    }),
  );
}

export async function unassignTamAction(input: { tamId: string; tenantId: string }) {
  return done(
    await runAction(async (user, meta) => {
      await unassignTam(user, input.tamId, input.tenantId, meta);
      return undefined;
    }),
  );
}

export async function setUserRoleAction(input: { userId: string; role: string }) {
  return done(
    await runAction(async (user, meta) => {
      await setUserRole(user, input.userId, input.role, meta);
      return undefined;
    }),
  );
}

export async function setUserDisabledAction(input: { userId: string; disabled: boolean }) {
  return done(
    await runAction(async (user, meta) => {
      await setUserDisabled(user, input.userId, input.disabled, meta);
      return undefined;
    }),
  );
}

export async function resetPasswordAction(input: { userId: string }) {
  return runAction(async (user, meta) => {
    return (await resetUserPassword(user, input.userId, meta)).password;
  });
}
