// Risk over time as an inline SVG: the conversation score after each message, as a step line.
// Plain SVG text (no script, no fonts to fetch) so the report stays one self-contained file.
import { escapeHtml } from './escape.ts';

export interface RiskPoint {
  time: number;
  score: number;
}

export interface ChartOptions {
  width?: number;
  height?: number;
  threshold: number;
  /** Times of flagged messages, drawn as ticks on the time axis. */
  flagged?: number[];
  label: string;
}

const MAX_POINTS = 600;

/** At most MAX_POINTS points, keeping each bucket's highest score so peaks survive. */
export function downsample(points: RiskPoint[]): RiskPoint[] {
  if (points.length <= MAX_POINTS) return points;
  const size = Math.ceil(points.length / MAX_POINTS);
  const out: RiskPoint[] = [];
  for (let i = 0; i < points.length; i += size) {
    const bucket = points.slice(i, i + size);
    out.push(
      bucket.reduce(
        (best, p) => (p.score > best.score ? { time: bucket[bucket.length - 1]!.time, score: p.score } : best),
        { time: bucket[bucket.length - 1]!.time, score: bucket[0]!.score },
      ),
    );
  }
  return out;
}

const day = (t: number) => new Date(t).toISOString().slice(0, 16).replace('T', ' ');

export function riskChart(points: RiskPoint[], options: ChartOptions): string {
  const width = options.width ?? 720;
  const height = options.height ?? 180;
  const left = 36;
  const right = 12;
  const top = 12;
  const bottom = 28;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const data = downsample(points);
  const t0 = data.length ? data[0]!.time : 0;
  const t1 = data.length ? data[data.length - 1]!.time : 1;
  const span = Math.max(1, t1 - t0);
  const x = (t: number) => left + ((t - t0) / span) * plotW;
  const y = (s: number) => top + (1 - Math.min(1, Math.max(0, s))) * plotH;
  const f = (n: number) => n.toFixed(1);
  let path = '';
  data.forEach((p, i) => {
    // Step line: the score holds until the next message changes it.
    path += i === 0 ? `M${f(x(p.time))},${f(y(p.score))}` : ` H${f(x(p.time))} V${f(y(p.score))}`;
  });
  const ticks = (options.flagged ?? [])
    .map(
      (t) => `<line class="flag" x1="${f(x(t))}" x2="${f(x(t))}" y1="${f(top + plotH)}" y2="${f(top + plotH + 6)}"/>`,
    )
    .join('');
  const grid = [0, 0.5, 1]
    .map(
      (s) =>
        `<line class="grid" x1="${left}" x2="${left + plotW}" y1="${f(y(s))}" y2="${f(y(s))}"/><text class="axis" x="${left - 6}" y="${f(y(s) + 4)}" text-anchor="end">${s}</text>`,
    )
    .join('');
  const threshold = `<line class="threshold" x1="${left}" x2="${left + plotW}" y1="${f(y(options.threshold))}" y2="${f(y(options.threshold))}"><title>review threshold ${options.threshold}</title></line>`;
  const peak = data.reduce((m, p) => Math.max(m, p.score), 0);
  return (
    `<svg class="risk-chart" role="img" aria-label="${escapeHtml(`${options.label}: risk from ${data.length ? data[0]!.score.toFixed(2) : '0'} to ${data.length ? data[data.length - 1]!.score.toFixed(2) : '0'}, peak ${peak.toFixed(2)}`)}" ` +
    `viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">` +
    grid +
    threshold +
    (data.length ? `<path class="risk" d="${path}"/>` : '') +
    ticks +
    `<text class="axis" x="${left}" y="${height - 6}">${escapeHtml(data.length ? day(t0) : '')}</text>` +
    `<text class="axis" x="${left + plotW}" y="${height - 6}" text-anchor="end">${escapeHtml(data.length ? day(t1) : '')}</text>` +
    `</svg>`
  );
}
