// Small SVG charts for the statistics page: stacked bars for counts, lines for durations and rates.
// Each chart is an image with a spoken summary (role="img", aria-label), each mark has a <title>
// for pointer users, and the same numbers are one click away as a table: the table is the
// accessible form, the picture is the quick look. Colours come from CSS classes (no inline style).
import type { ReactNode } from 'react';
import { niceMax, type Series } from '../statsSeries.ts';

const W = 640;
const H = 220;
const PAD = { left: 44, right: 12, top: 12, bottom: 36 };
const innerW = W - PAD.left - PAD.right;
const innerH = H - PAD.top - PAD.bottom;

function fmt(v: number | null, unit = ''): string {
  if (v === null) return '–';
  return `${Number.isInteger(v) ? v : v.toFixed(1)}${unit}`;
}

/** Period labels thinned so they do not overlap: at most about 12 on the axis. */
function showLabel(i: number, n: number): boolean {
  const every = Math.ceil(n / 12);
  return i % every === 0 || i === n - 1;
}

function Axis({ max, unit }: { max: number; unit: string }) {
  const ticks = [0, max / 2, max];
  return (
    <g className="chart-axis">
      {ticks.map((t) => {
        const y = PAD.top + innerH - (t / max) * innerH;
        return (
          <g key={t}>
            <line x1={PAD.left} x2={W - PAD.right} y1={y} y2={y} className="chart-grid" />
            <text x={PAD.left - 6} y={y + 4} textAnchor="end">
              {fmt(t)}
              {unit}
            </text>
          </g>
        );
      })}
    </g>
  );
}

function PeriodLabels({ periods, x }: { periods: string[]; x: (i: number) => number }) {
  return (
    <g className="chart-axis">
      {periods.map((p, i) =>
        showLabel(i, periods.length) ? (
          <text key={p} x={x(i)} y={H - PAD.bottom + 16} textAnchor="middle">
            {p}
          </text>
        ) : null,
      )}
    </g>
  );
}

function Legend({ series }: { series: Series[] }) {
  if (series.length < 2) return null;
  return (
    <ul className="chart-legend" aria-hidden="true">
      {series.map((s, i) => (
        <li key={s.key}>
          <svg width="12" height="12" viewBox="0 0 12 12" aria-hidden="true">
            <rect width="12" height="12" rx="2" className={`series-${i % 6}`} />
          </svg>
          {s.label}
        </li>
      ))}
    </ul>
  );
}

function NumbersTable({
  title,
  periods,
  series,
  unit,
  testId,
}: {
  title: string;
  periods: string[];
  series: Series[];
  unit: string;
  testId: string;
}) {
  return (
    <details className="chart-table">
      <summary>Show the numbers as a table</summary>
      <div className="table-scroll">
        <table data-testid={`${testId}-table`}>
          <caption className="sr-only">{title}</caption>
          <thead>
            <tr>
              <th scope="col">Period</th>
              {series.map((s) => (
                <th key={s.key} scope="col">
                  {s.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {periods.map((p, i) => (
              <tr key={p}>
                <th scope="row">{p}</th>
                {series.map((s) => (
                  <td key={s.key}>{fmt(s.values[i] ?? null, unit)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}

function Figure(props: {
  title: string;
  summary: string;
  testId: string;
  periods: string[];
  series: Series[];
  unit: string;
  children: ReactNode;
  note?: string;
}) {
  return (
    <figure className="chart" data-testid={props.testId}>
      <figcaption>
        <h3>{props.title}</h3>
        {props.note && <p className="small muted">{props.note}</p>}
      </figcaption>
      <Legend series={props.series} />
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`${props.title}. ${props.summary}`} className="chart-svg">
        {props.children}
      </svg>
      <NumbersTable
        title={props.title}
        periods={props.periods}
        series={props.series}
        unit={props.unit}
        testId={props.testId}
      />
    </figure>
  );
}

/** What a screen reader hears instead of the picture: the total and the busiest period per series. */
function summarise(periods: string[], series: Series[], unit: string, kind: 'total' | 'range'): string {
  if (periods.length === 0) return 'No periods in the range.';
  return series
    .map((s) => {
      const vals = s.values.map((v, i) => [v, i] as const).filter((x): x is readonly [number, number] => x[0] !== null);
      if (vals.length === 0) return `${s.label}: nothing measured`;
      const top = vals.reduce((a, b) => (b[0] > a[0] ? b : a));
      if (kind === 'total')
        return `${s.label}: ${vals.reduce((a, b) => a + b[0], 0)} in all, most in ${periods[top[1]]} (${fmt(top[0])})`;
      const low = vals.reduce((a, b) => (b[0] < a[0] ? b : a));
      return `${s.label}: from ${fmt(low[0], unit)} (${periods[low[1]]}) to ${fmt(top[0], unit)} (${periods[top[1]]})`;
    })
    .join('; ');
}

export function BarChart(props: { title: string; periods: string[]; series: Series[]; testId: string; note?: string }) {
  const { periods, series } = props;
  const totals = periods.map((_, i) => series.reduce((a, s) => a + (s.values[i] ?? 0), 0));
  const max = niceMax(Math.max(0, ...totals));
  const slot = innerW / Math.max(1, periods.length);
  const barW = Math.max(2, Math.min(36, slot * 0.7));
  const x = (i: number) => PAD.left + slot * i + slot / 2;
  return (
    <Figure {...props} unit="" summary={summarise(periods, series, '', 'total')}>
      <Axis max={max} unit="" />
      {periods.map((p, i) => {
        let base = 0;
        return (
          <g key={p} className="chart-bar" data-period={p}>
            {series.map((s, k) => {
              const v = s.values[i] ?? 0;
              if (v <= 0) return null;
              const h = (v / max) * innerH;
              const y = PAD.top + innerH - ((base + v) / max) * innerH;
              base += v;
              return (
                <rect key={s.key} x={x(i) - barW / 2} y={y} width={barW} height={h} className={`series-${k % 6}`}>
                  <title>{`${p}: ${s.label} ${v}`}</title>
                </rect>
              );
            })}
          </g>
        );
      })}
      <PeriodLabels periods={periods} x={x} />
    </Figure>
  );
}

export function LineChart(props: {
  title: string;
  periods: string[];
  series: Series[];
  unit: string;
  testId: string;
  note?: string;
}) {
  const { periods, series, unit } = props;
  const max = niceMax(Math.max(0, ...series.flatMap((s) => s.values.filter((v): v is number => v !== null))));
  const slot = innerW / Math.max(1, periods.length);
  const x = (i: number) => PAD.left + slot * i + slot / 2;
  const y = (v: number) => PAD.top + innerH - (v / max) * innerH;
  return (
    <Figure {...props} summary={summarise(periods, series, unit, 'range')}>
      <Axis max={max} unit={unit} />
      {series.map((s, k) => {
        // A period with nothing measured breaks the line rather than pretending it was zero.
        const runs: string[] = [];
        let run = '';
        s.values.forEach((v, i) => {
          if (v === null) {
            if (run) runs.push(run);
            run = '';
          } else run += `${run ? ' L' : 'M'}${x(i).toFixed(1)} ${y(v).toFixed(1)}`;
        });
        if (run) runs.push(run);
        return (
          <g key={s.key} className={`chart-line series-${k % 6}`}>
            {runs.map((d) => (
              <path key={d} d={d} />
            ))}
            {s.values.map((v, i) =>
              v === null ? null : (
                <circle key={periods[i]} cx={x(i)} cy={y(v)} r={3}>
                  <title>{`${periods[i]}: ${s.label} ${fmt(v, unit)}`}</title>
                </circle>
              ),
            )}
          </g>
        );
      })}
      <PeriodLabels periods={periods} x={x} />
    </Figure>
  );
}
