// The review queue: most urgent first, with why each case is there. j/k move, Enter opens, n takes the
// next case (the server claims the most urgent one this person may work).
import { useCallback, useEffect, useRef, useState } from 'react';
import { api, ApiError } from '../api.ts';
import { duration, fmtDateTime, words } from '../format.ts';
import { linkProps, navigate, useLocation } from '../router.ts';
import { useShortcuts } from '../shortcuts.tsx';
import type { QueueItem, QueuePage, QueueView as View, StaffUser } from '../types.ts';
import { LevelBadge, ReasonChips } from './bits.tsx';

const TABS: { view: View; label: string; specialistOnly?: boolean }[] = [
  { view: 'open', label: 'Open' },
  { view: 'mine', label: 'Mine' },
  { view: 'escalated', label: 'Escalated', specialistOnly: true },
  { view: 'appeals', label: 'Appeals' },
];

/** Reasons the table already shows in their own columns (child's age, risk, waiting time). */
const SHOWN_IN_COLUMNS = /^(waiting |child aged )|^\w+ risk \(/;

export function QueueView({ user }: { user: StaffUser }) {
  const { search } = useLocation();
  const tabs = TABS.filter((t) => !t.specialistOnly || user.role !== 'moderator');
  const requested = search.get('view') as View | null;
  const view: View = tabs.some((t) => t.view === requested) ? requested! : 'open';
  const [page, setPage] = useState<QueuePage | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [selected, setSelected] = useState(0);
  const [now, setNow] = useState(() => Date.now());
  const tableRef = useRef<HTMLTableSectionElement>(null);

  const load = useCallback(async () => {
    try {
      const p = await api.queue(view);
      // A refresh keeps the rows already paged in below the first page.
      setPage((prev) =>
        prev && prev.items.length > p.items.length && p.nextCursor
          ? { ...p, items: mergeRows(p.items, prev.items) }
          : p,
      );
      setError(null);
      setNow(Date.now());
    } catch (err) {
      if (!(err instanceof ApiError && (err.status === 401 || err.code === 'forbidden')))
        setError((err as Error).message);
    }
  }, [view]);

  useEffect(() => {
    setPage(null);
    setSelected(0);
    void load();
    const timer = window.setInterval(load, 30_000);
    return () => window.clearInterval(timer);
  }, [load]);

  const items = page?.items ?? [];
  const focusRow = (i: number) => {
    const link = tableRef.current?.querySelectorAll<HTMLAnchorElement>('a.case-link')[i];
    link?.focus();
  };
  const move = (delta: number) => {
    if (items.length === 0) return;
    const next = Math.min(items.length - 1, Math.max(0, selected + delta));
    setSelected(next);
    focusRow(next);
  };

  const more = async () => {
    if (!page?.nextCursor) return;
    try {
      const p = await api.queue(view, page.nextCursor);
      setPage({ ...p, items: [...page.items, ...p.items.filter((i) => !page.items.some((o) => o.id === i.id))] });
    } catch (err) {
      if (!(err instanceof ApiError && (err.status === 401 || err.code === 'forbidden')))
        setError((err as Error).message);
    }
  };

  const nextCase = async () => {
    setNotice(null);
    try {
      const res = await api.next();
      if (!res) setNotice('No case is waiting that you can take right now.');
      else navigate(`/cases/${encodeURIComponent(res.case.id)}`);
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 401)) setNotice((err as Error).message);
    }
  };

  useShortcuts({
    j: () => move(1),
    // biome-ignore lint/correctness/noComponentHookFactories: a key name, not a component
    ArrowDown: () => move(1),
    k: () => move(-1),
    // biome-ignore lint/correctness/noComponentHookFactories: a key name, not a component
    ArrowUp: () => move(-1),
    // biome-ignore lint/correctness/noComponentHookFactories: a key name, not a component
    Enter: () => {
      const item = items[selected];
      if (item) navigate(`/cases/${encodeURIComponent(item.id)}`);
    },
    n: () => void nextCase(),
  });

  return (
    <section className="page" aria-labelledby="queue-title">
      <div className="page-head">
        <h1 id="queue-title">Review queue</h1>
        <p className="muted">Most urgent first: risk, the child's age, sextortion deadlines and waiting time.</p>
        <div className="page-actions">
          <button type="button" className="btn btn-primary" onClick={nextCase} data-testid="next-case">
            Next case <kbd>n</kbd>
          </button>
        </div>
      </div>

      <div className="tabs" role="tablist" aria-label="Queue views">
        {tabs.map((t) => (
          <a
            key={t.view}
            role="tab"
            aria-selected={t.view === view}
            className="tab"
            {...linkProps(t.view === 'open' ? '/queue' : `/queue?view=${t.view}`)}
          >
            {t.label}
            {page && t.view !== 'closed' && (
              <span className="count">{page.counts[t.view as keyof QueuePage['counts']]}</span>
            )}
          </a>
        ))}
      </div>

      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      {error && (
        <p className="form-error" role="alert">
          Could not load the queue: {error}
        </p>
      )}

      <div className="table-wrap" role="tabpanel">
        <table className="queue" aria-describedby="queue-help">
          <caption id="queue-help" className="sr-only">
            Cases in the {view} view. Use j and k to move, Enter to open.
          </caption>
          <thead>
            <tr>
              <th scope="col" className="num">
                #
              </th>
              <th scope="col">Case</th>
              <th scope="col">Why it is here</th>
              <th scope="col" className="num">
                Child
              </th>
              <th scope="col" className="num">
                Risk
              </th>
              <th scope="col">Waiting</th>
              <th scope="col">Claim</th>
            </tr>
          </thead>
          <tbody ref={tableRef}>
            {page && items.length === 0 && (
              <tr>
                <td colSpan={7} className="empty">
                  Nothing in this view. {view === 'open' ? 'The queue is clear.' : ''}
                </td>
              </tr>
            )}
            {!page && !error && (
              <tr>
                <td colSpan={7} className="empty">
                  Loading…
                </td>
              </tr>
            )}
            {items.map((item, i) => (
              <QueueRow
                key={item.id}
                item={item}
                rank={i + 1}
                selected={i === selected}
                now={now}
                userId={user.id}
                onFocus={() => setSelected(i)}
              />
            ))}
          </tbody>
        </table>
      </div>
      {page?.nextCursor && (
        <button type="button" className="btn more-rows" onClick={more}>
          Show more cases
        </button>
      )}
    </section>
  );
}

/** The fresh first page, then the older rows that were paged in after it. */
function mergeRows(first: QueueItem[], before: QueueItem[]): QueueItem[] {
  const seen = new Set(first.map((i) => i.id));
  return [...first, ...before.slice(first.length).filter((i) => !seen.has(i.id))];
}

function QueueRow({
  item,
  rank,
  selected,
  now,
  userId,
  onFocus,
}: {
  item: QueueItem;
  rank: number;
  selected: boolean;
  now: number;
  userId: string;
  onFocus(): void;
}) {
  const claimLive = item.claimedBy && (item.claimExpiresAt === null || item.claimExpiresAt > now);
  const reasons = item.reasons.filter((r) => !SHOWN_IN_COLUMNS.test(r));
  return (
    <tr className={selected ? 'selected' : undefined} aria-selected={selected} data-case-id={item.id}>
      <td className="num rank">{rank}</td>
      <td>
        {/* biome-ignore lint/a11y/noStaticElementInteractions: linkProps supplies the href */}
        <a className="case-link" {...linkProps(`/cases/${encodeURIComponent(item.id)}`)} onFocus={onFocus}>
          <span className="accused">{item.accusedId}</span>
        </a>
        <div className="sub">
          <LevelBadge level={item.level} />
          {item.appeal && <span className="tag tag-appeal">appeal</span>}
          {item.status !== 'open' && <span className="tag">{words(item.status)}</span>}
          <span className="muted small">
            {item.conversationCount} conversation{item.conversationCount === 1 ? '' : 's'}
          </span>
        </div>
      </td>
      <td>{reasons.length > 0 ? <ReasonChips reasons={reasons} /> : <span className="muted">risk score</span>}</td>
      <td className="num child-cell" data-testid="child-cell">
        {item.childAge ?? (
          <span className="muted" title="Age not known">
            ?
          </span>
        )}
        {item.childId && (
          <div
            className="sub small"
            title={item.childCount > 1 ? `${item.childCount} children in this case; the youngest shown` : undefined}
          >
            {item.childId}
            {item.childCount > 1 ? ` +${item.childCount - 1}` : ''}
          </div>
        )}
      </td>
      <td className="num">{Math.round(item.score * 100)}</td>
      <td title={`Waiting since ${fmtDateTime(item.waitingSince)}`}>{duration(now - item.waitingSince)}</td>
      <td>
        {claimLive ? (
          <span className={item.claimedBy!.id === userId ? 'claim claim-mine' : 'claim'}>
            {item.claimedBy!.id === userId ? 'You' : item.claimedBy!.name}
          </span>
        ) : (
          <span className="muted">Unclaimed</span>
        )}
      </td>
    </tr>
  );
}
