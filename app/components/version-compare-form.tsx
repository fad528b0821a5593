import { getTranslations } from 'next-intl/server';

/** Pick two configuration versions to compare (a GET form: the choice is in the address, a and b). */
export async function VersionCompareForm({ versions, a, b }: { versions: { version: number }[]; a: number | null | undefined; b: number | null | undefined }) {
  const t = await getTranslations('audit');
  return (
    <form method="get" className="filters" aria-label={t('compare')}>
      {(
        [
          ['a', a, t('versionA')],
          ['b', b, t('versionB')],
        ] as const
      ).map(([name, value, label]) => (
        <label key={name}>
          {label}{' '}
          <select name={name} defaultValue={value ? String(value) : ''}>
            {versions.map((v) => (
              <option key={v.version} value={v.version}>
                v{v.version}
              </option>
            ))}
          </select>
        </label>
      ))}
      <button type="submit" className="button primary">
        {t('compare')}
      </button>
    </form>
  );
}
