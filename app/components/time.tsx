// The one way a time is shown: in the reader's time zone with the zone named ("2 Dec 2026, 10:40 CST"),
// or relative ("5 minutes ago") with that exact time on hover and for screen readers. Works in server
// and client components alike (next-intl's hooks), so every page formats times the same way.
import { useFormatter, useNow } from 'next-intl';

export const EXACT = { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', timeZoneName: 'short' } as const;
const WITH_SECONDS = { ...EXACT, second: '2-digit' } as const;

export function Time({ value, relative = false, seconds = false }: { value: string | Date; relative?: boolean; seconds?: boolean }) {
  const format = useFormatter();
  const now = useNow();
  const date = typeof value === 'string' ? new Date(value) : value;
  const exact = format.dateTime(date, seconds ? WITH_SECONDS : EXACT);
  if (!relative) return <time dateTime={date.toISOString()}>{exact}</time>;
  return (
    <time dateTime={date.toISOString()} title={exact}>
      {format.relativeTime(date, now)}
      <span className="visually-hidden"> ({exact})</span>
    </time>
  );
}
