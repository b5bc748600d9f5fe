// Transparency statistics (specialists and admins): the numbers a platform publishes for regulators and
// the public, per period and jurisdiction, as charts with a table behind each one and a CSV download.
// Everything comes from GET /console/api/statistics, which computes from stored data only.
import { useEffect, useState, type FormEvent } from 'react';
import { api, ApiError } from '../api.ts';
import { navigate } from '../router.ts';
import { jurisdictionsOf, seriesFor, type Bucket, type Statistics } from '../statsSeries.ts';
import { BarChart, LineChart } from './charts.tsx';

const DAY = 86_400_000;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

interface Filters {
  from: string;
  to: string;
  bucket: Bucket;
}

function initialFilters(search: URLSearchParams): Filters {
  const b = search.get('bucket');
  return {
    from: search.get('from') ?? isoDay(Date.now() - 364 * DAY),
    to: search.get('to') ?? isoDay(Date.now()),
    bucket: b === 'quarter' || b === 'year' ? b : 'month',
  };
}

const query = (f: Filters) => `from=${f.from}&to=${f.to}&bucket=${f.bucket}`;

export function StatisticsView({ search }: { search: URLSearchParams }) {
  const [filters, setFilters] = useState<Filters>(() => initialFilters(search));
  const [draft, setDraft] = useState(filters);
  const [jurisdiction, setJurisdiction] = useState(search.get('jurisdiction') ?? 'ALL');
  const [stats, setStats] = useState<Statistics | null>(null);
  const [error, setError] = useState<{ message: string; problems: string[] } | null>(null);

  useEffect(() => {
    let live = true;
    setStats(null);
    api.get<Statistics>(`/statistics?${query(filters)}`).then(
      (s) => {
        if (!live) return;
        setStats(s);
        setError(null);
      },
      (err: unknown) => {
        if (!live) return;
        if (err instanceof ApiError && (err.status === 401 || err.code === 'forbidden')) return;
        setError({
          message: err instanceof Error ? err.message : String(err),
          problems: err instanceof ApiError ? err.problems : [],
        });
      },
    );
    return () => {
      live = false;
    };
  }, [filters]);

  const apply = (e: FormEvent) => {
    e.preventDefault();
    setFilters({ ...draft });
    navigate(`/statistics?${query(draft)}`, { replace: true });
  };

  const places = stats ? jurisdictionsOf(stats) : ['ALL'];
  const shown = places.includes(jurisdiction) ? jurisdiction : 'ALL';
  const s = stats ? seriesFor(stats, shown) : null;

  return (
    <section className="page stats-page" aria-labelledby="stats-title">
      <div className="page-head">
        <h1 id="stats-title">Transparency statistics</h1>
        <p className="muted">
          Detections, cases, actions, reports to the authorities, response times, appeals and the false-flag rate, per
          period (UTC) and jurisdiction. Counted from the stored cases, audit log and reports, so anyone with the
          database gets the same numbers.
        </p>
      </div>
      <form className="filters" onSubmit={apply} aria-label="Choose the period">
        <div>
          <label htmlFor="s-from">From</label>
          <input
            id="s-from"
            type="date"
            value={draft.from}
            onChange={(e) => setDraft({ ...draft, from: e.target.value })}
          />
        </div>
        <div>
          <label htmlFor="s-to">To (inclusive)</label>
          <input id="s-to" type="date" value={draft.to} onChange={(e) => setDraft({ ...draft, to: e.target.value })} />
        </div>
        <div>
          <label htmlFor="s-bucket">Per</label>
          <select
            id="s-bucket"
            value={draft.bucket}
            onChange={(e) => setDraft({ ...draft, bucket: e.target.value as Bucket })}
          >
            <option value="month">Month</option>
            <option value="quarter">Quarter</option>
            <option value="year">Year</option>
          </select>
        </div>
        <div className="filters-buttons">
          <button type="submit" className="btn btn-primary">
            Show
          </button>
        </div>
        <div>
          <label htmlFor="s-place">Jurisdiction</label>
          <select id="s-place" value={shown} onChange={(e) => setJurisdiction(e.target.value)}>
            {places.map((p) => (
              <option key={p} value={p}>
                {p === 'ALL' ? 'All (each case once)' : p === 'UNKNOWN' ? 'Country not known' : p}
              </option>
            ))}
          </select>
        </div>
        <div className="filters-buttons">
          <a className="btn" href={`/console/api/statistics.csv?${query(filters)}`} download data-testid="stats-csv">
            Download CSV
          </a>
        </div>
      </form>
      {error && (
        <div className="form-error" role="alert" data-testid="stats-error">
          Could not load the statistics: {error.message}
          {error.problems.length > 0 && (
            <ul>
              {error.problems.map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
          )}
        </div>
      )}
      {!s && !error && (
        <p className="muted" aria-busy="true">
          Loading…
        </p>
      )}
      {s && stats && (
        <>
          <dl className="stats-totals" data-testid="stats-totals">
            <div>
              <dt>Cases opened</dt>
              <dd data-testid="total-cases">{s.totals.casesOpened}</dd>
            </div>
            <div>
              <dt>Decisions</dt>
              <dd>{s.totals.decisions}</dd>
            </div>
            <div>
              <dt>Reports to the authorities</dt>
              <dd data-testid="total-reports">{s.totals.reports}</dd>
            </div>
            <div>
              <dt>Reports filed</dt>
              <dd>{s.totals.reportsFiled}</dd>
            </div>
            <div>
              <dt>Appeals (overturned)</dt>
              <dd>
                {s.totals.appeals} ({s.totals.overturned})
              </dd>
            </div>
          </dl>
          <p className="small muted" data-testid="stats-range">
            {shown === 'ALL' ? 'All jurisdictions' : shown} · {s.periods[0]} to {s.periods.at(-1)} · generated{' '}
            {new Date(stats.generatedAt).toISOString().replace('T', ' ').slice(0, 16)} UTC
          </p>
          <div className="stats-grid">
            <BarChart title="Cases opened" periods={s.periods} series={s.cases} testId="chart-cases" />
            <BarChart
              title="Detections by kind"
              periods={s.periods}
              series={s.detections}
              testId="chart-detections"
              note="Alerts by kind and known-image matches in the cases opened."
            />
            <BarChart title="Actions by rung" periods={s.periods} series={s.actions} testId="chart-actions" />
            <BarChart
              title="Reports to the authorities"
              periods={s.periods}
              series={s.reports}
              testId="chart-reports"
              note="By authority, when prepared; reports another one covers (OSA s.70(5)) are not counted."
            />
            <LineChart
              title="Time from detection (hours)"
              periods={s.periods}
              series={s.times}
              unit=" h"
              testId="chart-times"
              note="From the case opening to the first enforcement action and to a filed report; nearest-rank percentiles."
            />
            <LineChart
              title="False-flag rate"
              periods={s.periods}
              series={s.falseFlag}
              unit="%"
              testId="chart-false-flag"
              note="Dismissed decisions out of all decisions: cases reviewers found were not abuse."
            />
            <LineChart
              title="Appeals and overturned decisions"
              periods={s.periods}
              series={s.appeals}
              unit=""
              testId="chart-appeals"
              note="Overturned: an appealed case then dismissed."
            />
          </div>
        </>
      )}
    </section>
  );
}
