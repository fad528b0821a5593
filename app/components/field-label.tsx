import { useTranslations } from 'next-intl';

/** A configuration or audit field by the name people know ("No-reply address"), its code beside it (small) and on hover; screen readers hear the name only. */
export function FieldLabel({ field }: { field: string }) {
  const t = useTranslations('fieldLabels');
  const known = t.has(field);
  return known ? (
    <span className="field-label" title={field}>
      {t(field)}{' '}
      <code className="field-code" aria-hidden="true">
        {field}
      </code>
    </span>
  ) : (
    <code>{field}</code>
  );
}
