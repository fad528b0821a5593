'use client';
// Delivered, retrying and dead notifications per hour over the last day, drawn by recharts (decision 017,
// 2026-12-02 note): full width, a y axis of whole numbers with grid lines, hours on the x axis (fewer
// labels on a phone, never overlapping), a tooltip per hour on hover and with the arrow keys (recharts'
// accessibility layer), a legend whose entries never wrap mid-entry, and the same numbers as a table for
// screen readers and for copying. Recharts styles with inline style attributes only, which the page's
// CSP allows (style-src 'unsafe-inline'); it adds no <style> element and no script.
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';

const COLORS = { delivered: '#2e7d32', retrying: '#a15c00', dead: '#c62828' } as const;
const SERIES = ['delivered', 'retrying', 'dead'] as const;
type Series = (typeof SERIES)[number];

/** One hour: its label already formatted on the server (the reader's language and time zone). */
export type HealthChartBucket = { hour: string; label: string } & Record<Series, number>;

type Props = { buckets: HealthChartBucket[]; labels: Record<Series, string> & { hour: string; count: string; table: string }; title: string };

const AXIS_TEXT = { fill: '#4a5263', fontSize: 12 };

export function HealthChart({ buckets, labels, title }: Props) {
  const totals = Object.fromEntries(SERIES.map((s) => [s, buckets.reduce((n, b) => n + b[s], 0)])) as Record<Series, number>;
  return (
    <figure className="health-chart" data-testid="health-chart">
      <div className="health-chart-plot">
        <ResponsiveContainer width="100%" height={260} initialDimension={{ width: 720, height: 260 }}>
          <BarChart data={buckets} title={title} margin={{ top: 8, right: 32, bottom: 0, left: 0 }} barCategoryGap="20%">
            <CartesianGrid vertical={false} stroke="#d8dde6" />
            <XAxis dataKey="label" tick={AXIS_TEXT} tickLine={false} axisLine={{ stroke: '#5b6474' }} interval="preserveStartEnd" minTickGap={16} />
            <YAxis allowDecimals={false} tick={AXIS_TEXT} tickLine={false} axisLine={false} width={36} />
            <Tooltip cursor={{ fill: 'rgba(31, 41, 55, 0.08)' }} labelStyle={{ fontWeight: 600, color: '#1f2937' }} />
            <Legend
              verticalAlign="bottom"
              content={() => (
                <ul className="chart-legend">
                  {SERIES.map((s) => (
                    <li key={s}>
                      <span aria-hidden="true" className="swatch" style={{ background: COLORS[s] }} />
                      {labels[s]} {totals[s]}
                    </li>
                  ))}
                </ul>
              )}
            />
            {SERIES.map((s) => (
              <Bar key={s} dataKey={s} name={labels[s]} stackId="notifications" fill={COLORS[s]} isAnimationActive={false} />
            ))}
          </BarChart>
        </ResponsiveContainer>
      </div>
      <figcaption>
        <span className="visually-hidden">{title}</span>
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
                    <th scope="row">{b.label}</th>
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
