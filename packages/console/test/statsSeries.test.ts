// The statistics as the charts draw them (the part of the statistics page that needs no browser).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  jurisdictionsOf,
  niceMax,
  periodsBetween,
  seriesFor,
  type Statistics,
  type StatisticsRow,
} from '../src/statsSeries.ts';

const row = (period: string, jurisdiction: string, over: Partial<StatisticsRow> = {}): StatisticsRow => ({
  period,
  jurisdiction,
  detectionsByKind: {},
  casesOpened: 0,
  actionsByRung: {},
  reportsByAuthority: {},
  reportsFiled: 0,
  detectionToAction: { count: 0, medianHours: null, p90Hours: null },
  detectionToReport: { count: 0, medianHours: null, p90Hours: null },
  appeals: 0,
  overturned: 0,
  decisions: 0,
  dismissed: 0,
  falseFlagRate: null,
  ...over,
});

test('periodsBetween names every UTC month, quarter or year of the range as the server does', () => {
  assert.deepEqual(periodsBetween('2025-11-15T00:00:00.000Z', '2026-02-01T00:00:00.000Z', 'month'), [
    '2025-11',
    '2025-12',
    '2026-01',
  ]);
  assert.deepEqual(periodsBetween('2025-11-15T00:00:00.000Z', '2026-04-02T00:00:00.000Z', 'quarter'), [
    '2025-Q4',
    '2026-Q1',
    '2026-Q2',
  ]);
  assert.deepEqual(periodsBetween('2024-06-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', 'year'), ['2024', '2025']);
});

test('seriesFor fills empty periods with zero counts but leaves unmeasured durations empty', () => {
  const s: Statistics = {
    from: '2026-01-01T00:00:00.000Z',
    to: '2026-04-01T00:00:00.000Z',
    bucket: 'month',
    generatedAt: '2026-04-01T00:00:00.000Z',
    rows: [
      row('2026-01', 'ALL', {
        casesOpened: 3,
        reportsByAuthority: { ncmec: { priority1: 1, priority2: 2 }, police: { priority1: 1 } },
        detectionToAction: { count: 2, medianHours: 4.5, p90Hours: 9 },
        falseFlagRate: 0.25,
      }),
      row('2026-01', 'GB', { casesOpened: 1 }),
      row('2026-03', 'ALL', { casesOpened: 2, appeals: 1, overturned: 1 }),
    ],
  };
  const all = seriesFor(s, 'ALL');
  assert.deepEqual(all.periods, ['2026-01', '2026-02', '2026-03']);
  assert.deepEqual(all.cases[0]!.values, [3, 0, 2], 'February had no cases: a zero, not a gap');
  assert.deepEqual(
    all.reports.map((r) => [r.label, r.values]),
    [
      ['NCMEC', [3, 0, 0]],
      ['Police (DSA Art. 18)', [1, 0, 0]],
    ],
    'reports per authority, priorities together',
  );
  assert.deepEqual(all.times[0]!.values, [4.5, null, null], 'nothing measured is not zero hours');
  assert.deepEqual(all.falseFlag[0]!.values, [25, null, null], 'a rate in per cent');
  assert.deepEqual(all.totals, {
    casesOpened: 5,
    decisions: 0,
    reports: 4,
    reportsFiled: 0,
    appeals: 1,
    overturned: 1,
    dismissed: 0,
  });
  assert.deepEqual(seriesFor(s, 'GB').cases[0]!.values, [1, 0, 0], 'one jurisdiction at a time');
  assert.deepEqual(jurisdictionsOf(s), ['ALL', 'GB']);
});

test('niceMax rounds an axis up to 1, 2 or 5 times a power of ten', () => {
  assert.deepEqual([0, 0.3, 1, 3, 7, 13, 20, 51].map(niceMax), [1, 0.5, 1, 5, 10, 20, 20, 100]);
});
