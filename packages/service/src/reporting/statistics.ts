// Transparency statistics for regulators and the public, computed only from stored data (cases, the
// audit log, reports to the authorities), so anyone with the database gets the same numbers. Grouped
// by period (UTC month, quarter or year) and jurisdiction (the countries of a case's participants;
// "ALL" counts each case once). Percentiles are nearest-rank.
import type { AuditEntry, AuthorityReportRecord, CaseRecord, Storage } from '@lifeguard/storage';
import type { Durations, Statistics, StatisticsBucket, StatisticsRow } from '../console/wire.ts';

// The shapes are the console API's (console/wire.ts), which serves the same statistics.
export type { Durations, Statistics, StatisticsRow };
export type Bucket = StatisticsBucket;
export const BUCKETS = ['month', 'quarter', 'year'] as const satisfies readonly Bucket[];

const HOUR = 3_600_000;

export function periodOf(ms: number, bucket: Bucket): string {
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  if (bucket === 'year') return String(y);
  if (bucket === 'quarter') return `${y}-Q${Math.floor(d.getUTCMonth() / 3) + 1}`;
  return `${y}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

export function nearestRank(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function durations(ms: number[]): Durations {
  const sorted = [...ms].sort((a, b) => a - b);
  const h = (v: number | null) => (v === null ? null : Math.round((v / HOUR) * 100) / 100);
  return { count: sorted.length, medianHours: h(nearestRank(sorted, 50)), p90Hours: h(nearestRank(sorted, 90)) };
}

interface CaseFacts {
  openedAt: number;
  jurisdictions: string[];
  detections: Record<string, number>;
}

function caseFacts(c: CaseRecord): CaseFacts {
  const e = (c.evidence ?? {}) as {
    alerts?: { kind?: string }[];
    participants?: { country?: string | null }[];
    media?: unknown[];
  };
  const detections: Record<string, number> = {};
  for (const a of e.alerts ?? [])
    detections[`alert:${a.kind ?? 'unknown'}`] = (detections[`alert:${a.kind ?? 'unknown'}`] ?? 0) + 1;
  if (e.media?.length) detections.known_image_match = e.media.length;
  const countries = [
    ...new Set((e.participants ?? []).map((p) => p.country?.toUpperCase()).filter((x): x is string => Boolean(x))),
  ].sort();
  return { openedAt: c.openedAt, jurisdictions: countries.length ? countries : ['UNKNOWN'], detections };
}

/** Pure: the rows from already-loaded data (so tests and the bench can check the arithmetic). */
export function computeStatistics(input: {
  cases: CaseRecord[];
  audit: AuditEntry[];
  reports: AuthorityReportRecord[];
  from: number;
  to: number;
  bucket: Bucket;
  now?: number;
}): Statistics {
  const { from, to, bucket } = input;
  const within = (t: number) => t >= from && t < to;
  const facts = new Map(input.cases.map((c) => [c.id, caseFacts(c)]));
  const rows = new Map<string, StatisticsRow & { _action: number[]; _report: number[] }>();
  const row = (period: string, jurisdiction: string) => {
    const key = `${period}|${jurisdiction}`;
    let r = rows.get(key);
    if (!r) {
      r = {
        period,
        jurisdiction,
        detectionsByKind: {},
        casesOpened: 0,
        actionsByRung: {},
        reportsByAuthority: {},
        reportsFiled: 0,
        detectionToAction: durations([]),
        detectionToReport: durations([]),
        appeals: 0,
        overturned: 0,
        decisions: 0,
        dismissed: 0,
        falseFlagRate: null,
        _action: [],
        _report: [],
      };
      rows.set(key, r);
    }
    return r;
  };
  /** Each fact counts once under ALL and once per jurisdiction of its case. */
  const each = (t: number, caseId: string | null, fn: (r: ReturnType<typeof row>) => void) => {
    const p = periodOf(t, bucket);
    fn(row(p, 'ALL'));
    for (const j of (caseId ? facts.get(caseId)?.jurisdictions : undefined) ?? ['UNKNOWN']) fn(row(p, j));
  };

  for (const [id, f] of facts) {
    if (!within(f.openedAt)) continue;
    each(f.openedAt, id, (r) => {
      r.casesOpened++;
      for (const [k, n] of Object.entries(f.detections)) r.detectionsByKind[k] = (r.detectionsByKind[k] ?? 0) + n;
    });
  }
  const firstAction = new Map<string, number>();
  const appealedAt = new Map<string, number>();
  for (const e of [...input.audit].sort((a, b) => a.seq - b.seq)) {
    if (!e.caseId) continue;
    if (e.action === 'case.appeal') {
      appealedAt.set(e.caseId, e.at);
      if (within(e.at)) each(e.at, e.caseId, (r) => r.appeals++);
    }
    if (e.action !== 'case.decision') continue;
    const action = String(e.details.action ?? 'unknown');
    // An appeal's decision that dismisses the case overturns the action appealed against.
    const overturned = appealedAt.has(e.caseId) && action === 'dismiss';
    if (appealedAt.has(e.caseId)) appealedAt.delete(e.caseId);
    if (!within(e.at)) continue;
    const opened = facts.get(e.caseId)?.openedAt;
    const firstEnforcement = action !== 'dismiss' && action !== 'escalate' && !firstAction.has(e.caseId);
    if (firstEnforcement) firstAction.set(e.caseId, e.at);
    each(e.at, e.caseId, (r) => {
      r.decisions++;
      r.actionsByRung[action] = (r.actionsByRung[action] ?? 0) + 1;
      if (action === 'dismiss') r.dismissed++;
      if (overturned) r.overturned++;
      if (firstEnforcement && opened !== undefined) r._action.push(e.at - opened);
    });
  }
  for (const rep of input.reports) {
    if (within(rep.createdAt) && rep.status !== 'covered') {
      each(rep.createdAt, rep.caseId, (r) => {
        const a = r.reportsByAuthority[rep.authority] ?? {};
        r.reportsByAuthority[rep.authority] = a;
        a[`priority${rep.priority}`] = (a[`priority${rep.priority}`] ?? 0) + 1;
      });
    }
    if (rep.filedAt !== null && within(rep.filedAt)) {
      const opened = facts.get(rep.caseId)?.openedAt;
      each(rep.filedAt, rep.caseId, (r) => {
        r.reportsFiled++;
        if (opened !== undefined) r._report.push(rep.filedAt! - opened);
      });
    }
  }
  const out = [...rows.values()].map(({ _action, _report, ...r }) => ({
    ...r,
    detectionToAction: durations(_action),
    detectionToReport: durations(_report),
    falseFlagRate: r.decisions ? Math.round((r.dismissed / r.decisions) * 10_000) / 10_000 : null,
  }));
  out.sort(
    (a, b) =>
      a.period.localeCompare(b.period) ||
      (a.jurisdiction === 'ALL' ? -1 : b.jurisdiction === 'ALL' ? 1 : a.jurisdiction.localeCompare(b.jurisdiction)),
  );
  return {
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    bucket,
    generatedAt: new Date(input.now ?? Date.now()).toISOString(),
    rows: out,
  };
}

/** Loads what the statistics need from the store, page by page. */
export async function loadStatistics(
  storage: Storage,
  tenantId: string,
  from: number,
  to: number,
  bucket: Bucket,
): Promise<Statistics> {
  const cases: CaseRecord[] = [];
  let before: { updatedAt: number; id: string } | undefined;
  for (;;) {
    const page = await storage.listCases(tenantId, { limit: 500, ...(before ? { before } : {}) });
    cases.push(...page);
    if (page.length < 500) break;
    const last = page[page.length - 1]!;
    before = { updatedAt: last.updatedAt, id: last.id };
  }
  const audit: AuditEntry[] = [];
  for (let after = 0; ; ) {
    const page = await storage.readAudit(tenantId, after, 2000);
    for (const e of page) if (e.action === 'case.decision' || e.action === 'case.appeal') audit.push(e);
    if (page.length < 2000) break;
    after = page[page.length - 1]!.seq;
  }
  const reports = await storage.listAuthorityReports(tenantId, { limit: 1_000_000 });
  return computeStatistics({ cases, audit, reports, from, to, bucket });
}

const CSV_HEADER = 'period,jurisdiction,metric,key,value';

/** One line per number: easy to load into a spreadsheet and to compare between two runs. */
export function statisticsCsv(s: Statistics): string {
  const lines = [CSV_HEADER];
  const put = (r: StatisticsRow, metric: string, key: string, value: number | null) =>
    lines.push([r.period, r.jurisdiction, metric, key, value === null ? '' : String(value)].join(','));
  for (const r of s.rows) {
    put(r, 'cases_opened', '', r.casesOpened);
    for (const [k, v] of Object.entries(r.detectionsByKind).sort()) put(r, 'detections', k, v);
    for (const [k, v] of Object.entries(r.actionsByRung).sort()) put(r, 'actions', k, v);
    for (const [a, byP] of Object.entries(r.reportsByAuthority).sort())
      for (const [p, v] of Object.entries(byP).sort()) put(r, `reports_${a}`, p, v);
    put(r, 'reports_filed', '', r.reportsFiled);
    put(r, 'detection_to_action_hours', 'median', r.detectionToAction.medianHours);
    put(r, 'detection_to_action_hours', 'p90', r.detectionToAction.p90Hours);
    put(r, 'detection_to_report_hours', 'median', r.detectionToReport.medianHours);
    put(r, 'detection_to_report_hours', 'p90', r.detectionToReport.p90Hours);
    put(r, 'appeals', '', r.appeals);
    put(r, 'overturned', '', r.overturned);
    put(r, 'false_flag_rate', '', r.falseFlagRate);
  }
  return `${lines.join('\n')}\n`;
}
