// Transparency statistics: the arithmetic on known data, and the same numbers through the API and CSV.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AuditEntry, AuthorityReportRecord, CaseRecord } from '@lifeguard/storage';
import { computeStatistics, nearestRank, periodOf, statisticsCsv } from '../src/reporting/statistics.ts';
import { startTestService } from './helpers.ts';

const H = 3_600_000;
const JAN = Date.UTC(2026, 0, 10);
const FEB = Date.UTC(2026, 1, 10);

function kase(id: string, openedAt: number, countries: string[], alerts: string[], media = 0): CaseRecord {
  return {
    id,
    tenantId: 'acme',
    accusedId: `a-${id}`,
    status: 'open',
    level: 'high',
    score: 0.8,
    conversationIds: [],
    openedAt,
    updatedAt: openedAt,
    version: 1,
    evidence: {
      alerts: alerts.map((kind) => ({ kind })),
      participants: countries.map((country, i) => ({ userId: `${id}-${i}`, country })),
      media: Array.from({ length: media }, () => ({})),
    },
  };
}
let seq = 0;
const entry = (action: string, caseId: string, at: number, details: Record<string, unknown> = {}): AuditEntry => ({
  seq: ++seq,
  at,
  actor: { system: 'test' },
  action,
  caseId,
  targetId: null,
  details,
  prevHash: '',
  hash: '',
});
const report = (
  caseId: string,
  authority: 'ncmec' | 'nca',
  priority: number,
  createdAt: number,
  filedAt: number | null,
  status: AuthorityReportRecord['status'] = 'filed',
): AuthorityReportRecord => ({
  id: `r-${caseId}-${authority}`,
  tenantId: 'acme',
  caseId,
  authority,
  subjectId: 'x',
  priority,
  status,
  body: {},
  progress: {},
  externalId: null,
  attempts: 0,
  nextAttemptAt: null,
  lastError: null,
  createdBy: 'u',
  createdAt,
  dueAt: createdAt,
  filedAt,
  keepReferenceUntil: null,
  updatedAt: createdAt,
});

describe('transparency statistics', () => {
  const cases = [
    kase('c1', JAN, ['GB'], ['conversation', 'conversation']),
    kase('c2', JAN + H, ['US', 'GB'], ['actor'], 1),
    kase('c3', JAN + 2 * H, [], ['conversation']),
    kase('c4', FEB, ['US'], ['conversation']),
  ];
  const audit = [
    entry('case.decision', 'c1', JAN + 2 * H, { action: 'suspend' }), // 2 h to action
    entry('case.decision', 'c2', JAN + 11 * H, { action: 'disable' }), // 10 h
    entry('case.decision', 'c3', JAN + 3 * H, { action: 'dismiss' }),
    entry('case.appeal', 'c1', JAN + 20 * H),
    entry('case.decision', 'c1', JAN + 30 * H, { action: 'dismiss' }), // the appeal overturned it
    entry('case.decision', 'c4', FEB + 5 * H, { action: 'warn' }),
  ];
  const reports = [
    report('c2', 'ncmec', 2, JAN + 12 * H, JAN + 13 * H),
    report('c2', 'nca', 2, JAN + 12 * H, null, 'covered'),
    report('c4', 'ncmec', 1, FEB + H, FEB + 2 * H),
  ];
  const stats = computeStatistics({
    cases,
    audit,
    reports,
    from: Date.UTC(2026, 0, 1),
    to: Date.UTC(2026, 2, 1),
    bucket: 'month',
    now: Date.UTC(2026, 2, 1),
  });
  const row = (period: string, j: string) => stats.rows.find((r) => r.period === period && r.jurisdiction === j)!;

  it('counts per month, overall and per jurisdiction (a case in two countries counts in each, once overall)', () => {
    const all = row('2026-01', 'ALL');
    assert.equal(all.casesOpened, 3);
    assert.deepEqual(all.detectionsByKind, { 'alert:conversation': 3, 'alert:actor': 1, known_image_match: 1 });
    assert.deepEqual(all.actionsByRung, { suspend: 1, disable: 1, dismiss: 2 });
    assert.equal(row('2026-01', 'GB').casesOpened, 2, 'c1 and c2');
    assert.equal(row('2026-01', 'US').casesOpened, 1, 'c2');
    assert.equal(row('2026-01', 'UNKNOWN').casesOpened, 1, 'c3 has no known country');
    assert.equal(row('2026-02', 'ALL').casesOpened, 1);
  });

  it('gives reports by authority and priority (not the covered ones), times to action and report, appeals and the false-flag rate', () => {
    const all = row('2026-01', 'ALL');
    assert.deepEqual(
      all.reportsByAuthority,
      { ncmec: { priority2: 1 } },
      'the NCA report NCMEC covered is not counted as sent',
    );
    assert.equal(all.reportsFiled, 1);
    assert.deepEqual(
      all.detectionToAction,
      { count: 2, medianHours: 2, p90Hours: 10 },
      'first enforcement per case: 2 h and 10 h',
    );
    assert.deepEqual(all.detectionToReport, { count: 1, medianHours: 12, p90Hours: 12 });
    assert.equal(all.appeals, 1);
    assert.equal(all.overturned, 1);
    assert.equal(all.falseFlagRate, 0.5, 'two of four decisions dismissed');
    assert.equal(row('2026-02', 'ALL').detectionToReport.medianHours, 2);
  });

  it('writes one CSV line per number, the same numbers as the JSON', () => {
    const csv = statisticsCsv(stats);
    assert.equal(csv.split('\n')[0], 'period,jurisdiction,metric,key,value');
    assert.ok(csv.includes('2026-01,ALL,cases_opened,,3\n'), 'cases opened');
    assert.ok(csv.includes('2026-01,ALL,reports_ncmec,priority2,1\n'), 'reports');
    assert.ok(csv.includes('2026-01,ALL,false_flag_rate,,0.5\n'), 'false flags');
    assert.ok(csv.includes('2026-01,GB,detection_to_action_hours,p90,10\n'), 'percentiles');
  });

  it('uses UTC periods and nearest-rank percentiles', () => {
    assert.equal(periodOf(Date.UTC(2026, 3, 30, 23), 'quarter'), '2026-Q2');
    assert.equal(periodOf(Date.UTC(2026, 11, 31, 23), 'year'), '2026');
    assert.equal(nearestRank([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90), 9);
    assert.equal(nearestRank([], 50), null);
  });

  it('serves the statistics as JSON and CSV on the API, and names a bad query', async () => {
    const s = await startTestService('sqlite');
    try {
      const json = await s.call('GET', '/v1/statistics?from=2026-01-01&to=2026-12-31&bucket=quarter', s.keys.reader);
      assert.equal(json.statusCode, 200, json.body);
      assert.equal(json.json().bucket, 'quarter');
      assert.deepEqual(json.json().rows, [], 'no cases yet');
      const csv = await s.call('GET', '/v1/statistics.csv?from=2026-01-01&to=2026-12-31', s.keys.reader);
      assert.equal(csv.statusCode, 200);
      assert.match(String(csv.headers['content-type']), /^text\/csv/);
      assert.equal(csv.body, 'period,jurisdiction,metric,key,value\n');
      const bad = await s.call('GET', '/v1/statistics?from=2026-02-30x&bucket=week', s.keys.reader);
      assert.equal(bad.statusCode, 400);
      assert.deepEqual(
        bad
          .json()
          .problems.map((p: string) => p.split(':')[0])
          .sort(),
        ['bucket', 'from'],
      );
      const backwards = await s.call('GET', '/v1/statistics?from=2026-05-01&to=2026-01-01', s.keys.reader);
      assert.deepEqual(backwards.json().problems, ['from: must be before to']);
    } finally {
      await s.close();
    }
  });
});
