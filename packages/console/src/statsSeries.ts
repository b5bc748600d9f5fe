// The transparency statistics as the charts draw them: every period of the range (a period with
// nothing in it is a zero, not a gap), one jurisdiction at a time. Pure, so it is tested without a browser.

import type { Statistics, StatisticsBucket, StatisticsRow } from './types.ts';

/** GET /console/api/statistics answers in the console API's shapes (the same as /v1/statistics). */
export type { Statistics, StatisticsRow };
export type Bucket = StatisticsBucket;

/** A named series of values, one per period (null: nothing to measure in that period). */
export interface Series {
  key: string;
  label: string;
  values: (number | null)[];
}

function periodOf(d: Date, bucket: Bucket): string {
  const y = d.getUTCFullYear();
  if (bucket === 'year') return String(y);
  if (bucket === 'quarter') return `${y}-Q${Math.floor(d.getUTCMonth() / 3) + 1}`;
  return `${y}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** Every period label from `from` up to (not including) `to`, UTC, as the server names them. */
export function periodsBetween(from: string, to: string, bucket: Bucket): string[] {
  const start = new Date(from);
  const end = new Date(to).getTime();
  const out: string[] = [];
  const d = new Date(Date.UTC(start.getUTCFullYear(), bucket === 'year' ? 0 : start.getUTCMonth(), 1));
  if (bucket === 'quarter') d.setUTCMonth(Math.floor(d.getUTCMonth() / 3) * 3);
  const step = bucket === 'year' ? 12 : bucket === 'quarter' ? 3 : 1;
  while (d.getTime() < end && out.length < 200) {
    out.push(periodOf(d, bucket));
    d.setUTCMonth(d.getUTCMonth() + step);
  }
  return out;
}

/** The jurisdictions in the answer: ALL first, then the countries, UNKNOWN last. */
export function jurisdictionsOf(s: Statistics): string[] {
  const set = new Set(s.rows.map((r) => r.jurisdiction));
  set.delete('ALL');
  const rest = [...set].sort((a, b) => (a === 'UNKNOWN' ? 1 : b === 'UNKNOWN' ? -1 : a.localeCompare(b)));
  return ['ALL', ...rest];
}

export const AUTHORITY_LABELS: Record<string, string> = {
  ncmec: 'NCMEC',
  nca: 'NCA',
  police: 'Police (DSA Art. 18)',
};

export function seriesFor(s: Statistics, jurisdiction: string) {
  const periods = periodsBetween(s.from, s.to, s.bucket);
  const byPeriod = new Map(s.rows.filter((r) => r.jurisdiction === jurisdiction).map((r) => [r.period, r]));
  const rowAt = (p: string) => byPeriod.get(p);
  const count = (f: (r: StatisticsRow) => number) => periods.map((p) => (rowAt(p) ? f(rowAt(p)!) : 0));
  const measured = (f: (r: StatisticsRow) => number | null) => periods.map((p) => (rowAt(p) ? f(rowAt(p)!) : null));
  const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);

  const authorities = [...new Set(s.rows.flatMap((r) => Object.keys(r.reportsByAuthority)))].sort();
  const rungs = [...new Set(s.rows.flatMap((r) => Object.keys(r.actionsByRung)))].sort();
  const detectionKinds = [...new Set(s.rows.flatMap((r) => Object.keys(r.detectionsByKind)))].sort();
  return {
    periods,
    cases: [{ key: 'cases', label: 'Cases opened', values: count((r) => r.casesOpened) }] as Series[],
    detections: detectionKinds.map((k) => ({
      key: k,
      label: k.replace(/^alert:/, '').replace(/_/g, ' '),
      values: count((r) => r.detectionsByKind[k] ?? 0),
    })) as Series[],
    actions: rungs.map((k) => ({ key: k, label: k, values: count((r) => r.actionsByRung[k] ?? 0) })) as Series[],
    reports: authorities.map((a) => ({
      key: a,
      label: AUTHORITY_LABELS[a] ?? a.toUpperCase(),
      values: count((r) => sum(r.reportsByAuthority[a] ?? {})),
    })) as Series[],
    times: [
      {
        key: 'action-median',
        label: 'Detection to action, median',
        values: measured((r) => r.detectionToAction.medianHours),
      },
      {
        key: 'action-p90',
        label: 'Detection to action, 90th percentile',
        values: measured((r) => r.detectionToAction.p90Hours),
      },
      {
        key: 'report-median',
        label: 'Detection to report, median',
        values: measured((r) => r.detectionToReport.medianHours),
      },
      {
        key: 'report-p90',
        label: 'Detection to report, 90th percentile',
        values: measured((r) => r.detectionToReport.p90Hours),
      },
    ] as Series[],
    falseFlag: [
      {
        key: 'false-flag',
        label: 'False-flag rate (%)',
        values: measured((r) => (r.falseFlagRate === null ? null : Math.round(r.falseFlagRate * 1000) / 10)),
      },
    ] as Series[],
    appeals: [
      { key: 'appeals', label: 'Appeals', values: count((r) => r.appeals) },
      { key: 'overturned', label: 'Overturned', values: count((r) => r.overturned) },
    ] as Series[],
    totals: {
      casesOpened: count((r) => r.casesOpened).reduce((a, b) => a + b, 0),
      decisions: count((r) => r.decisions).reduce((a, b) => a + b, 0),
      reports: count((r) =>
        sum(Object.fromEntries(Object.entries(r.reportsByAuthority).map(([k, v]) => [k, sum(v)]))),
      ).reduce((a, b) => a + b, 0),
      reportsFiled: count((r) => r.reportsFiled).reduce((a, b) => a + b, 0),
      appeals: count((r) => r.appeals).reduce((a, b) => a + b, 0),
      overturned: count((r) => r.overturned).reduce((a, b) => a + b, 0),
      dismissed: count((r) => r.dismissed).reduce((a, b) => a + b, 0),
    },
  };
}

/** A round upper bound for an axis: 1, 2, 5 × 10^n at or above the largest value. */
export function niceMax(max: number): number {
  if (!(max > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 5, 10]) if (m * p >= max) return m * p;
  return 10 * p;
}
