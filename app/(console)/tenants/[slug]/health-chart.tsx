// Delivered, retrying and dead per hour over the last day, as inline SVG bars (no chart library).
import type { HealthBucket } from '@/server/pipeline/list-deliveries';

const COLORS = { delivered: '#2e7d32', retrying: '#b26a00', dead: '#c62828' } as const;
type Series = keyof typeof COLORS;

export function HealthChart({ buckets, labels, title, hourLabel }: { buckets: HealthBucket[]; labels: Record<Series, string>; title: string; hourLabel: (iso: string) => string }) {
  const max = Math.max(1, ...buckets.map((b) => b.delivered + b.retrying + b.dead));
  const width = 24 * 14;
  const height = 90;
  const scale = (n: number) => (n / max) * (height - 4);
  return (
    <figure>
      <svg role="img" aria-label={title} viewBox={`0 0 ${width} ${height + 14}`} width="100%" style={{ maxWidth: 640 }}>
        {buckets.map((b, i) => {
          let y = height;
          const x = i * 14 + 2;
          return (
            <g key={b.hour}>
              <title>{`${hourLabel(b.hour)}: ${labels.delivered} ${b.delivered}, ${labels.retrying} ${b.retrying}, ${labels.dead} ${b.dead}`}</title>
              {(['delivered', 'retrying', 'dead'] as const).map((s) => {
                const h = scale(b[s]);
                y -= h;
                return h > 0 ? <rect key={s} x={x} y={y} width={10} height={h} fill={COLORS[s]} /> : null;
              })}
              {i % 6 === 0 && (
                <text x={x} y={height + 12} fontSize={8} fill="currentColor">
                  {hourLabel(b.hour)}
                </text>
              )}
            </g>
          );
        })}
        <line x1={0} x2={width} y1={height} y2={height} stroke="currentColor" strokeWidth={0.5} />
      </svg>
      <figcaption className="muted">
        {(Object.keys(COLORS) as Series[]).map((s) => (
          <span key={s} style={{ marginRight: '1rem' }}>
            <span aria-hidden="true" style={{ display: 'inline-block', width: 10, height: 10, background: COLORS[s], marginRight: 4 }} />
            {labels[s]} {buckets.reduce((n, b) => n + b[s], 0)}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}
