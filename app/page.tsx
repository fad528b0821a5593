import { redirect } from 'next/navigation';
import { currentUser } from '@/server/auth/auth';
import { HOME_BY_ROLE } from '@/server/auth/roles';

export default async function Home() {
  const user = await currentUser();
  redirect(user ? HOME_BY_ROLE[user.role] : '/sign-in');
}
