// The append-only audit log (specialists and admins): who did what, when, to which case.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { api, ApiError } from '../api.ts';
import { actorName, fmtSeconds } from '../format.ts';
import { linkProps, navigate } from '../router.ts';
import type { AuditEntry } from '../types.ts';
import { describeDetails } from './Case.tsx';

const ACTIONS = [
  'case.decision',
  'case.claim',
  'case.release',
  'case.read',
  'case.note',
  'media.reveal',
  'case.appeal',
  'session.signin',
  'session.signin_failed',
  'session.signout',
  'staff.create',
  'staff.update',
];

export function AuditView({ initialCaseId }: { initialCaseId: string }) {
  const [filters, setFilters] = useState({ caseId: initialCaseId, actorId: '', action: '' });
  const [draft, setDraft] = useState(filters);
  const [entries, setEntries] = useState<AuditEntry[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async (f: typeof filters, after: string | null) => {
    try {
      const page = await api.audit({ ...f, cursor: after });
      setEntries((prev) => (after && prev ? [...prev, ...page.entries] : page.entries));
      setCursor(page.nextCursor);
      setError(null);
    } catch (err) {
      if (!(err instanceof ApiError && (err.status === 401 || err.code === 'forbidden')))
        setError((err as Error).message);
    }
  }, []);

  useEffect(() => {
    setEntries(null);
    void load(filters, null);
  }, [filters, load]);

  const apply = (e: FormEvent) => {
    e.preventDefault();
    setFilters({ ...draft });
    navigate(draft.caseId ? `/audit?caseId=${encodeURIComponent(draft.caseId)}` : '/audit', { replace: true });
  };

  return (
    <section className="page" aria-labelledby="audit-title">
      <div className="page-head">
        <h1 id="audit-title">Audit log</h1>
        <p className="muted">
          Every sign-in, case read, claim, media reveal and decision, newest first. Entries cannot be changed or
          deleted.
        </p>
      </div>
      <form className="filters" onSubmit={apply} aria-label="Filter the audit log">
        <div>
          <label htmlFor="f-case">Case id</label>
          <input id="f-case" value={draft.caseId} onChange={(e) => setDraft({ ...draft, caseId: e.target.value })} />
        </div>
        <div>
          <label htmlFor="f-actor">Staff id</label>
          <input id="f-actor" value={draft.actorId} onChange={(e) => setDraft({ ...draft, actorId: e.target.value })} />
        </div>
        <div>
          <label htmlFor="f-action">Action</label>
          <select id="f-action" value={draft.action} onChange={(e) => setDraft({ ...draft, action: e.target.value })}>
            <option value="">Any</option>
            {ACTIONS.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </select>
        </div>
        <div className="filters-buttons">
          <button type="submit" className="btn btn-primary">
            Apply
          </button>
          <button
            type="button"
            className="btn btn-quiet"
            onClick={() => {
              const empty = { caseId: '', actorId: '', action: '' };
              setDraft(empty);
              setFilters(empty);
              navigate('/audit', { replace: true });
            }}
          >
            Clear
          </button>
        </div>
      </form>
      {error && (
        <p className="form-error" role="alert">
          Could not load the audit log: {error}
        </p>
      )}
      <div className="table-wrap">
        <table className="audit">
          <thead>
            <tr>
              <th scope="col" className="num">
                #
              </th>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">Action</th>
              <th scope="col">Case</th>
              <th scope="col">Details</th>
            </tr>
          </thead>
          <tbody>
            {entries === null && !error && (
              <tr>
                <td colSpan={6} className="empty">
                  Loading…
                </td>
              </tr>
            )}
            {entries?.length === 0 && (
              <tr>
                <td colSpan={6} className="empty">
                  No entries match.
                </td>
              </tr>
            )}
            {entries?.map((e) => (
              <tr key={e.seq} data-action={e.action}>
                <td className="num mono">{e.seq}</td>
                <td className="nowrap">{fmtSeconds(e.at)}</td>
                <td>{actorName(e.actor)}</td>
                <td>
                  <span className="chip">{e.action}</span>
                </td>
                <td>
                  {e.caseId ? (
                    <a {...linkProps(`/cases/${encodeURIComponent(e.caseId)}`)}>{e.caseId}</a>
                  ) : (
                    <span className="muted">—</span>
                  )}
                </td>
                <td className="details">
                  {describeDetails(e.details) || (e.targetId ? <span className="mono">{e.targetId}</span> : '')}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {cursor && (
        <button type="button" className="btn" onClick={() => load(filters, cursor)}>
          Load older entries
        </button>
      )}
    </section>
  );
}
