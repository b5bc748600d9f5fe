// Reports to the authorities, on the case page, for specialists only (the server refuses everyone
// else too). The specialist chooses the incident type, priority and wording and makes the declaration;
// the messages the detector cited are the evidence by default. Status, NCMEC's errors and retries live here.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { api, ApiError } from '../api.ts';
import type { CaseDetail } from '../types.ts';
import { fmtDate } from '../format.ts';
import { Section } from './bits.tsx';

interface ReportView {
  id: string;
  authority: string;
  priority: number;
  status: string;
  externalId: string | null;
  attempts: number;
  lastError: string | null;
  dueAt: number;
  filedAt: number | null;
}

interface ReportsAnswer {
  reports: ReportView[];
  holds: { id: string; until: number; reason: string }[];
  packages: { version: number; createdAt: number; reason: string; digest: string }[];
  form: { incidentTypes: string[]; annotations: string[]; declaration: string };
}

const STATUS_WORDS: Record<string, string> = {
  queued: 'queued for sending',
  in_progress: 'being sent',
  rejected: 'refused by the authority',
  exported: 'exported for the portal',
  filed: 'filed',
  retracted: 'retracted',
  expired: 'retries ran out',
  covered: 'covered by the NCMEC report',
};

export function ReportsPanel({ detail }: { detail: CaseDetail }) {
  const caseId = detail.case.id;
  const [data, setData] = useState<ReportsAnswer | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [problems, setProblems] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [open, setOpen] = useState(false);
  const cited = detail.conversations.flatMap((c) => c.messages.filter((m) => m.spans.length > 0).map((m) => m.id));
  const [incidentType, setIncidentType] = useState('Online Enticement of Children for Sexual Acts');
  const [priority, setPriority] = useState('2');
  const [summary, setSummary] = useState('');
  const [sextortion, setSextortion] = useState(false);
  const [declared, setDeclared] = useState(false);

  const load = useCallback(async () => {
    try {
      setData(await api.get<ReportsAnswer>(`/cases/${encodeURIComponent(caseId)}/reports`));
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    }
  }, [caseId]);
  useEffect(() => {
    void load();
  }, [load]);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setProblems([]);
    const lastMessage = Math.max(
      ...detail.conversations.flatMap((c) => c.messages.map((m) => m.time)),
      detail.case.openedAt,
    );
    try {
      await api.send('POST', `/cases/${encodeURIComponent(caseId)}/reports`, {
        incidentType,
        priority: Number(priority),
        incidentDateTime: new Date(lastMessage).toISOString(),
        annotations: sextortion ? ['sextortion'] : [],
        summary,
        reportedUser: { userId: detail.accused.userId },
        children: detail.children.map((ch) => ({
          role: 'victim',
          userId: ch.userId,
          ...(ch.age !== null && ch.age < 18 ? { age: ch.age } : {}),
        })),
        evidence: { messageIds: cited, mediaIds: [] },
        declaration: { accepted: declared },
      });
      setOpen(false);
      await load();
    } catch (err) {
      if (err instanceof ApiError) {
        setError(err.message);
        setProblems(err.problems);
      } else setError(String(err));
    } finally {
      setBusy(false);
    }
  }

  async function act(path: string, body: unknown) {
    setBusy(true);
    try {
      await api.send('POST', path, body);
      await load();
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Section title="Reports to the authorities" id="reports">
      {error && (
        <div className="form-error" role="alert" data-testid="report-error">
          {error}
          {problems.length > 0 && (
            <ul>
              {problems.map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
          )}
        </div>
      )}
      {!data ? (
        <p className="muted">Loading…</p>
      ) : (
        <>
          {data.reports.length === 0 ? (
            <p className="muted">No report yet.</p>
          ) : (
            <ul className="reports" data-testid="report-list">
              {data.reports.map((r) => (
                <li key={r.id} data-testid={`report-${r.authority}`}>
                  <strong>{r.authority.toUpperCase()}</strong> · priority {r.priority} ·{' '}
                  <span data-testid="report-status">{STATUS_WORDS[r.status] ?? r.status}</span>
                  {r.externalId && (
                    <>
                      {' '}
                      · reference <code data-testid="report-reference">{r.externalId}</code>
                    </>
                  )}
                  {r.filedAt ? (
                    <> · filed {fmtDate(r.filedAt)}</>
                  ) : r.status !== 'covered' && r.status !== 'retracted' ? (
                    <> · due {fmtDate(r.dueAt)}</>
                  ) : null}
                  {r.lastError && r.status !== 'covered' && (
                    <p className="small form-error" data-testid="report-last-error">
                      {r.lastError} (attempt {r.attempts})
                    </p>
                  )}
                  {(r.status === 'rejected' || r.status === 'expired') && (
                    <button
                      type="button"
                      className="btn"
                      disabled={busy}
                      onClick={() => act(`/reports/${r.id}/retry`, {})}
                    >
                      Retry
                    </button>
                  )}
                </li>
              ))}
            </ul>
          )}
          {data.holds.length > 0 && (
            <p className="small">Legal hold until {fmtDate(Math.max(...data.holds.map((h) => h.until)))}.</p>
          )}
          <p className="small muted">
            Evidence frozen {data.packages.length} time{data.packages.length === 1 ? '' : 's'}
            {data.packages.length ? ` (latest: ${data.packages.at(-1)!.reason})` : ''}.
          </p>
          {!open ? (
            <button type="button" className="btn btn-primary" onClick={() => setOpen(true)}>
              Prepare a report
            </button>
          ) : (
            <form onSubmit={submit} className="report-form" aria-label="Report to the authorities">
              <label>
                Incident type
                <select value={incidentType} onChange={(e) => setIncidentType(e.target.value)}>
                  {data.form.incidentTypes.map((t) => (
                    <option key={t} value={t}>
                      {t}
                    </option>
                  ))}
                </select>
              </label>
              <label>
                Priority
                <select value={priority} onChange={(e) => setPriority(e.target.value)}>
                  <option value="1">1: immediate threat to a child</option>
                  <option value="2">2: as soon as reasonably practicable</option>
                  <option value="3">3: without undue delay</option>
                </select>
              </label>
              <label>
                <input type="checkbox" checked={sextortion} onChange={(e) => setSextortion(e.target.checked)} />{' '}
                Sextortion
              </label>
              <label>
                What happened and why you report it
                <textarea value={summary} onChange={(e) => setSummary(e.target.value)} rows={4} />
              </label>
              <p className="small muted">
                Evidence: the {cited.length} message{cited.length === 1 ? '' : 's'} the detector cited, the accused
                account and the child.
              </p>
              <label className="declaration">
                <input type="checkbox" checked={declared} onChange={(e) => setDeclared(e.target.checked)} />{' '}
                {data.form.declaration}
              </label>
              <div className="actions">
                <button type="submit" className="btn btn-primary" disabled={busy}>
                  Send report
                </button>
                <button type="button" className="btn" onClick={() => setOpen(false)}>
                  Cancel
                </button>
              </div>
            </form>
          )}
        </>
      )}
    </Section>
  );
}
