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
  /** Police notifications (DSA Art. 18): which Member State's police, or Europol. */
  recipient: { target: string; name: string } | null;
}

interface ReportsAnswer {
  reports: ReportView[];
  holds: { id: string; until: number; reason: string }[];
  packages: { version: number; createdAt: number; reason: string; digest: string }[];
  form: { incidentTypes: string[]; annotations: string[]; declaration: string };
  threatForm: { configured: boolean; memberStates: string[]; declaration: string };
}

/** How a report's recipient reads in the list. */
function recipientName(r: ReportView): string {
  if (r.authority === 'police' && r.recipient)
    return `Police: ${r.recipient.name} (${r.recipient.target}, DSA Art. 18)`;
  return r.authority.toUpperCase();
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
  // The specialist chooses the evidence; the messages the detector cited are chosen to start with.
  const [chosen, setChosen] = useState<Set<string>>(() => new Set(cited));
  const [childRole, setChildRole] = useState<'victim' | 'intendedRecipient'>('victim');
  const allMessages = detail.conversations.flatMap((c) => c.messages);

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
          role: childRole,
          userId: ch.userId,
          ...(ch.age !== null && ch.age < 18 ? { age: ch.age } : {}),
        })),
        evidence: { messageIds: allMessages.filter((m) => chosen.has(m.id)).map((m) => m.id), mediaIds: [] },
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
                  <strong>{recipientName(r)}</strong> · priority {r.priority} ·{' '}
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
          {data.holds.length > 0 && <HoldLine caseId={caseId} holds={data.holds} busy={busy} act={act} />}
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
              <label>
                The child in this case is
                <select
                  value={childRole}
                  onChange={(e) => setChildRole(e.target.value as 'victim' | 'intendedRecipient')}
                >
                  <option value="victim">the victim</option>
                  <option value="intendedRecipient">the intended recipient of the contact</option>
                </select>
              </label>
              <fieldset className="evidence-choice">
                <legend>
                  Evidence: {chosen.size} of {allMessages.length} messages (the detector's cited ones are chosen to
                  start with), with the accused account and the child
                </legend>
                {allMessages.map((m) => (
                  <label key={m.id} className="small">
                    <input
                      type="checkbox"
                      checked={chosen.has(m.id)}
                      onChange={(e) => {
                        const next = new Set(chosen);
                        if (e.target.checked) next.add(m.id);
                        else next.delete(m.id);
                        setChosen(next);
                      }}
                    />{' '}
                    <span className="mono">{m.senderId}</span>: {m.textPurged ? '(text removed)' : (m.text ?? '')}
                    {m.spans.length > 0 && <span className="muted"> (cited)</span>}
                  </label>
                ))}
              </fieldset>
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
          {data.threatForm.configured && (
            <div className="threat">
              <ThreatForm detail={detail} declaration={data.threatForm.declaration} onSent={load} />
            </div>
          )}
        </>
      )}
    </Section>
  );
}

/** The latest legal hold, and a way to extend it (a reason and at most a year at a time; the server bounds the total). */
function HoldLine({
  caseId,
  holds,
  busy,
  act,
}: {
  caseId: string;
  holds: { id: string; until: number; reason: string }[];
  busy: boolean;
  act: (path: string, body: unknown) => Promise<void>;
}) {
  const [extending, setExtending] = useState(false);
  const [days, setDays] = useState('180');
  const [reason, setReason] = useState('');
  const latest = holds.reduce((a, b) => (b.until > a.until ? b : a));
  return (
    <div className="small" data-testid="hold-line">
      Legal hold until <span data-testid="hold-until">{fmtDate(latest.until)}</span>.{' '}
      {!extending ? (
        <button type="button" className="linklike" onClick={() => setExtending(true)}>
          Extend the hold
        </button>
      ) : (
        <form
          className="report-form"
          aria-label="Extend the legal hold"
          onSubmit={async (e) => {
            e.preventDefault();
            await act(`/cases/${encodeURIComponent(caseId)}/holds/${encodeURIComponent(latest.id)}/extend`, {
              days: Number(days),
              reason,
            });
            setExtending(false);
          }}
        >
          <label>
            Extend by (days, at most 365)
            <input type="number" min={1} max={365} value={days} onChange={(e) => setDays(e.target.value)} />
          </label>
          <label>
            Why the evidence must be kept longer
            <input value={reason} onChange={(e) => setReason(e.target.value)} />
          </label>
          <div className="actions">
            <button type="submit" className="btn" disabled={busy}>
              Extend
            </button>
            <button type="button" className="btn btn-quiet" onClick={() => setExtending(false)}>
              Cancel
            </button>
          </div>
        </form>
      )}
    </div>
  );
}

/**
 * DSA Art. 18: a threat to a person's life or safety, to the police of the Member States concerned
 * (worked out from the participants' countries unless named). Separate from reports of abuse.
 */
function ThreatForm({
  detail,
  declaration,
  onSent,
}: {
  detail: CaseDetail;
  declaration: string;
  onSent: () => Promise<void>;
}) {
  const [open, setOpen] = useState(false);
  const [to, setTo] = useState('safety');
  const [offence, setOffence] = useState('is_likely_to_take_place');
  const [imminent, setImminent] = useState(true);
  const [summary, setSummary] = useState('');
  const [location, setLocation] = useState('');
  const [states, setStates] = useState('');
  const [declared, setDeclared] = useState(false);
  const [error, setError] = useState<{ message: string; problems: string[] } | null>(null);
  const [busy, setBusy] = useState(false);
  const cited = detail.conversations.flatMap((c) => c.messages.filter((m) => m.spans.length > 0).map((m) => m.id));
  if (!open)
    return (
      <button type="button" className="btn" onClick={() => setOpen(true)}>
        Notify the police of a threat to life or safety
      </button>
    );
  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const memberStates = states
      .split(/[\s,]+/)
      .map((x) => x.trim().toUpperCase())
      .filter(Boolean);
    try {
      await api.send('POST', `/cases/${encodeURIComponent(detail.case.id)}/threat-notifications`, {
        threat: { to, offence, imminent, summary, ...(location.trim() ? { location: location.trim() } : {}) },
        suspect: { userId: detail.accused.userId },
        personsAtRisk: detail.children.map((ch) => ({ userId: ch.userId })),
        evidence: { messageIds: cited },
        ...(memberStates.length ? { memberStates } : {}),
        declaration: { accepted: declared },
      });
      setOpen(false);
      await onSent();
    } catch (err) {
      setError({
        message: err instanceof Error ? err.message : String(err),
        problems: err instanceof ApiError ? err.problems : [],
      });
    } finally {
      setBusy(false);
    }
  }
  return (
    <form onSubmit={submit} className="report-form" aria-label="Notify the police (DSA Art. 18)">
      {error && (
        <div className="form-error" role="alert" data-testid="threat-error">
          {error.message}
          {error.problems.length > 0 && (
            <ul>
              {error.problems.map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
          )}
        </div>
      )}
      <label>
        What is threatened
        <select value={to} onChange={(e) => setTo(e.target.value)}>
          <option value="life">A person's life</option>
          <option value="safety">A person's safety</option>
        </select>
      </label>
      <label>
        The suspected offence
        <select value={offence} onChange={(e) => setOffence(e.target.value)}>
          <option value="is_likely_to_take_place">is likely to take place</option>
          <option value="is_taking_place">is taking place</option>
          <option value="has_taken_place">has taken place</option>
        </select>
      </label>
      <label>
        <input type="checkbox" checked={imminent} onChange={(e) => setImminent(e.target.checked)} /> Imminent: the
        police should act now
      </label>
      <label>
        What the threat is and why you suspect it
        <textarea value={summary} onChange={(e) => setSummary(e.target.value)} rows={4} />
      </label>
      <label>
        Where (as far as known)
        <input value={location} onChange={(e) => setLocation(e.target.value)} />
      </label>
      <label>
        Member States concerned (optional, e.g. DE IE; otherwise from the participants' countries)
        <input value={states} onChange={(e) => setStates(e.target.value)} />
      </label>
      <label className="declaration">
        <input type="checkbox" checked={declared} onChange={(e) => setDeclared(e.target.checked)} /> {declaration}
      </label>
      <div className="actions">
        <button type="submit" className="btn btn-primary" disabled={busy}>
          Notify the police
        </button>
        <button type="button" className="btn" onClick={() => setOpen(false)}>
          Cancel
        </button>
      </div>
    </form>
  );
}
