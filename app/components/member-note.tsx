import { getTranslations } from 'next-intl/server';

/** A customer member reads but cannot file or edit: say so, and whom to ask. */
export async function MemberNote({ admins }: { admins: { name: string; email: string }[] }) {
  const t = await getTranslations('customer');
  return (
    <p className="alert info" data-testid="member-note">
      {t('memberNote')}{' '}
      {admins.length > 0 ? (
        <>
          {t('askAdmins')}{' '}
          {admins.map((a, i) => (
            <span key={a.email}>
              {i > 0 && t('listSeparator')}
              <a href={`mailto:${a.email}`}>{a.name}</a>
            </span>
          ))}
          {t('sentenceEnd')}
        </>
      ) : (
        t('askAdminsUnknown')
      )}
    </p>
  );
}
