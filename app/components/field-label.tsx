import { useTranslations } from 'next-intl';

/** A configuration or audit field by the name people know ("No-reply address"), its code on hover and in a tooltip-free <code> for screen readers. */
export function FieldLabel({ field }: { field: string }) {
  const t = useTranslations('fieldLabels');
  const known = t.has(field);
  return known ? (
    <span className="field-label" title={field}>
      {t(field)} <code className="field-code">{field}</code>
    </span>
  ) : (
    <code>{field}</code>
  );
}
