import { getTranslations } from 'next-intl/server';
import { OAUTH_CERT_FAIL_KEY, OAUTH_SECRET_EXPIRED_KEY, type HealthProblem } from '@/server/health/health-problems';

/** One line per problem: its kind in the reader's language, what was seen (English, as recorded). */
export async function HealthProblems({ problems }: { problems: HealthProblem[] }) {
  const t = await getTranslations('healthChecks');
  if (problems.length === 0) return <p className="muted">{t('noProblems')}</p>;
  const kind = (key: string) =>
    key.startsWith('cert.')
      ? t(`kinds.${key === 'cert.expires_soon' ? 'certFail' : 'certWarn'}`)
      : key.startsWith('oauth.')
        ? t(`kinds.${key === OAUTH_SECRET_EXPIRED_KEY ? 'oauthSecretExpired' : key === OAUTH_CERT_FAIL_KEY ? 'oauthCertFail' : 'oauthCertWarn'}`)
        : key === 'smtp.auth'
          ? t('kinds.auth')
          : key.startsWith('smtp.')
            ? t('kinds.smtp')
            : key.startsWith('deliveries.')
              ? t('kinds.deliveries')
              : t('kinds.dns');
  return (
    <ul className="health-problems">
      {problems.map((p) => (
        <li key={p.key} className={`finding finding-${p.severity}`}>
          <strong>{kind(p.key)}</strong> <span className="muted">{p.detail}</span>
        </li>
      ))}
    </ul>
  );
}
