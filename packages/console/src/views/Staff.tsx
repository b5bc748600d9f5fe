// Staff accounts (admins only): who can sign in, with which role. Disabling someone ends their sessions.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { api, ApiError } from '../api.ts';
import { fmtDate } from '../format.ts';
import type { Role, StaffMember, StaffUser } from '../types.ts';

const ROLES: Role[] = ['moderator', 'specialist', 'admin'];

export function StaffView({ user }: { user: StaffUser }) {
  const [staff, setStaff] = useState<StaffMember[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [draft, setDraft] = useState({ email: '', name: '', role: 'moderator' as Role, password: '' });

  const load = useCallback(async () => {
    try {
      const res = await api.staff();
      setStaff(Array.isArray(res) ? res : res.staff);
      setError(null);
    } catch (err) {
      if (!(err instanceof ApiError && (err.status === 401 || err.code === 'forbidden')))
        setError((err as Error).message);
    }
  }, []);
  useEffect(() => void load(), [load]);

  const problem = (err: unknown) => {
    if (err instanceof ApiError && (err.status === 401 || err.code === 'forbidden')) return;
    const e = err as ApiError;
    setError(`${e.message}${e.problems?.length ? `: ${e.problems.join('; ')}` : ''}`);
  };

  const create = async (e: FormEvent) => {
    e.preventDefault();
    try {
      await api.createStaff(draft);
      setNotice(`Added ${draft.email} as ${draft.role}.`);
      setDraft({ email: '', name: '', role: 'moderator', password: '' });
      await load();
    } catch (err) {
      problem(err);
    }
  };

  const update = async (s: StaffMember, body: { role?: Role; disabled?: boolean }) => {
    try {
      await api.updateStaff(s.id, body);
      setNotice(body.disabled === true ? `Disabled ${s.email}; their sessions have ended.` : `Updated ${s.email}.`);
      await load();
    } catch (err) {
      problem(err);
    }
  };

  return (
    <section className="page" aria-labelledby="staff-title">
      <div className="page-head">
        <h1 id="staff-title">Staff</h1>
        <p className="muted">
          Moderators work the queue; specialists also handle escalations, suspensions and bans and read the audit log;
          admins manage staff.
        </p>
      </div>
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Email</th>
              <th scope="col">Role</th>
              <th scope="col">Added</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {staff === null && !error && (
              <tr>
                <td colSpan={5} className="empty">
                  Loading…
                </td>
              </tr>
            )}
            {staff?.map((s) => (
              <tr key={s.id}>
                <td>{s.name}</td>
                <td>{s.email}</td>
                <td>
                  <label className="sr-only" htmlFor={`role-${s.id}`}>
                    Role of {s.name}
                  </label>
                  <select
                    id={`role-${s.id}`}
                    value={s.role}
                    disabled={s.id === user.id}
                    onChange={(e) => update(s, { role: e.target.value as Role })}
                  >
                    {ROLES.map((r) => (
                      <option key={r} value={r}>
                        {r}
                      </option>
                    ))}
                  </select>
                </td>
                <td>{s.createdAt ? fmtDate(s.createdAt) : <span className="muted">—</span>}</td>
                <td>
                  {s.id === user.id ? (
                    <span className="muted">you</span>
                  ) : (
                    <button
                      type="button"
                      className="btn btn-small"
                      onClick={() => update(s, { disabled: !s.disabled })}
                    >
                      {s.disabled ? 'Enable' : 'Disable'}
                    </button>
                  )}
                  {s.disabled && <span className="tag"> disabled</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <form className="panel staff-form" onSubmit={create} aria-labelledby="add-staff-title">
        <h2 id="add-staff-title">Add a staff member</h2>
        <div className="form-grid">
          <div>
            <label htmlFor="s-name">Name</label>
            <input
              id="s-name"
              required
              value={draft.name}
              onChange={(e) => setDraft({ ...draft, name: e.target.value })}
            />
          </div>
          <div>
            <label htmlFor="s-email">Email</label>
            <input
              id="s-email"
              type="email"
              required
              value={draft.email}
              onChange={(e) => setDraft({ ...draft, email: e.target.value })}
            />
          </div>
          <div>
            <label htmlFor="s-role">Role</label>
            <select
              id="s-role"
              value={draft.role}
              onChange={(e) => setDraft({ ...draft, role: e.target.value as Role })}
            >
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label htmlFor="s-password">Initial password</label>
            <input
              id="s-password"
              type="password"
              minLength={12}
              required
              autoComplete="new-password"
              value={draft.password}
              onChange={(e) => setDraft({ ...draft, password: e.target.value })}
            />
            <p className="muted small">At least 12 characters; share it privately.</p>
          </div>
        </div>
        <button type="submit" className="btn btn-primary">
          Add
        </button>
      </form>
    </section>
  );
}
