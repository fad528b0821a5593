// Delivered, retrying and dead notifications per hour over the last day: an accessible inline SVG chart
// (no charting library is installed, and none may be added): full width, a labelled y axis with grid lines,
// hours on the x axis, a tooltip per hour on hover, a legend that does not wrap
// mid-entry, and the same numbers as a table for screen readers and for copying.
import type { HealthBucket } from '@/server/pipeline/list-deliveries';

const COLORS = { delivered: '#2e7d32', retrying: '#a15c00', dead: '#c62828' } as const;
const SERIES = ['delivered', 'retrying', 'dead'] as const;
type Series = (typeof SERIES)[number];

/** 0, and up to four round steps above the largest hour. */
function ticks(max: number): number[] {
  const raw = Math.max(1, max) / 4;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
  const top = Math.max(step, Math.ceil(Math.max(1, max) / step) * step);
  return Array.from({ length: Math.round(top / step) + 1 }, (_, i) => Math.round(i * step));
}

type Props = { buckets: HealthBucket[]; labels: Record<Series, string> & { hour: string; count: string; table: string }; title: string; hourLabel: (iso: string) => string };

export function HealthChart({ buckets, labels, title, hourLabel }: Props) {
  const W = 720;
  const H = 220;
  const left = 40;
  const bottom = 28;
  const top = 10;
  const plotH = H - bottom - top;
  const yTicks = ticks(Math.max(...buckets.map((b) => b.delivered + b.retrying + b.dead)));
  const yMax = yTicks.at(-1)!;
  const slot = (W - left - 8) / buckets.length;
  const barW = Math.max(4, slot * 0.7);
  const y = (n: number) => top + plotH - (n / yMax) * plotH;
  const describe = (b: HealthBucket) => `${hourLabel(b.hour)}: ${SERIES.map((s) => `${labels[s]} ${b[s]}`).join(', ')}`;
  return (
    <figure className="health-chart">
      <svg role="img" aria-labelledby="health-chart-title" viewBox={`0 0 ${W} ${H}`} width="100%" preserveAspectRatio="xMidYMid meet">
        <title id="health-chart-title">{title}</title>
        {yTicks.map((tick) => (
          <g key={tick} aria-hidden="true">
            <line x1={left} x2={W - 4} y1={y(tick)} y2={y(tick)} stroke="#d8dde6" strokeWidth={1} />
            <text x={left - 6} y={y(tick) + 4} fontSize={12} textAnchor="end" fill="#5b6474">
              {tick}
            </text>
          </g>
        ))}
        {buckets.map((b, i) => {
          let stack = 0;
          const x = left + i * slot + (slot - barW) / 2;
          return (
            <g key={b.hour} className="bar">
              <title>{describe(b)}</title>
              <rect x={left + i * slot} y={top} width={slot} height={plotH} fill="transparent" />
              {SERIES.map((s) => {
                if (b[s] === 0) return null;
                const y0 = y(stack);
                stack += b[s];
                return <rect key={s} x={x} y={y(stack)} width={barW} height={y0 - y(stack)} fill={COLORS[s]} />;
              })}
              {i % 3 === 0 && (
                <text x={x + barW / 2} y={H - bottom + 16} fontSize={12} textAnchor="middle" fill="#5b6474" aria-hidden="true">
                  {hourLabel(b.hour)}
                </text>
              )}
            </g>
          );
        })}
        <line x1={left} x2={W - 4} y1={top + plotH} y2={top + plotH} stroke="#5b6474" strokeWidth={1} />
      </svg>
      <figcaption>
        <ul className="chart-legend">
          {SERIES.map((s) => (
            <li key={s}>
              <span aria-hidden="true" className="swatch" style={{ background: COLORS[s] }} />
              {labels[s]} {buckets.reduce((n, b) => n + b[s], 0)}
            </li>
          ))}
        </ul>
        <details className="chart-table">
          <summary>{labels.table}</summary>
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">{labels.hour}</th>
                  {SERIES.map((s) => (
                    <th key={s} scope="col">
                      {labels[s]}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {buckets.map((b) => (
                  <tr key={b.hour}>
                    <th scope="row">{hourLabel(b.hour)}</th>
                    {SERIES.map((s) => (
                      <td key={s}>{b[s]}</td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </details>
      </figcaption>
    </figure>
  );
}
