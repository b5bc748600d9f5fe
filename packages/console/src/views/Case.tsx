// One case: the conversation with its evidence, how risk built up, who is involved, and the decision.
// Media stays blurred until asked for, one item at a time; every reveal is logged by the server.
import { ReportsPanel } from './Reports.tsx'; // reports to the authorities (specialists)
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { api, ApiError } from '../api.ts';
import { actorName, ageSourceText, ago, fmtDate, fmtDateTime, fmtHourMinute, fmtShort, pct, words } from '../format.ts';
import { linkProps, navigate } from '../router.ts';
import { useShortcuts } from '../shortcuts.tsx';
import type { AuditEntry, CaseDetail, Conversation, LadderStep, MediaItem, Person, Role, StaffUser } from '../types.ts';
import { LevelBadge, ReasonChips, Section } from './bits.tsx';
import { MediaMatches } from './MediaMatches.tsx';
import { MediaTile, type Revealed } from './MediaTile.tsx';
import { HighlightedText } from './highlight.tsx';
import { RiskTimeline } from './Timeline.tsx';

const ACTION_KEYS: Record<string, string> = {
  dismiss: 'd',
  escalate: 'e',
  warn: 'w',
  restrict: 'r',
  remove: 'x',
  suspend: 's',
  disable: 'b',
};
/** Steps that act on the account (sent to the platform), as opposed to dismiss and escalate. */
const ENFORCING = (s: LadderStep) => s.action !== 'dismiss' && s.action !== 'escalate';
const RANK: Record<Role, number> = { moderator: 0, specialist: 1, admin: 2 };

export function CaseView({ id, user }: { id: string; user: StaffUser }) {
  const [detail, setDetail] = useState<CaseDetail | null>(null);
  const [error, setError] = useState<ApiError | Error | null>(null);
  const [banner, setBanner] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const [form, setForm] = useState<LadderStep | null>(null);
  const [revealed, setRevealed] = useState<Revealed | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    try {
      setDetail(await api.caseDetail(id));
      setError(null);
    } catch (err) {
      setError(err as Error);
    }
  }, [id]);

  useEffect(() => {
    setDetail(null);
    setRevealed(null);
    setForm(null);
    setBanner(null);
    void load();
  }, [load]);

  const c = detail?.case;
  const claimedByMe =
    !!c?.claimedBy && c.claimedBy.id === user.id && (c.claimExpiresAt === null || c.claimExpiresAt > Date.now());
  const claimedByOther =
    !!c?.claimedBy && c.claimedBy.id !== user.id && (c.claimExpiresAt === null || c.claimExpiresAt > Date.now());
  // The server says what this user may do right now (claim, release, the ladder steps once claimed).
  // Before a claim, the steps the role allows are shown disabled, so the moderator sees what is coming.
  const allowed = new Set(detail?.allowedActions ?? []);
  const roleSteps = (detail?.enforcement ?? []).filter((s) => RANK[user.role] >= (RANK[s.requiresRole] ?? 0));
  const steps = claimedByMe ? roleSteps.filter((s) => allowed.has(s.action)) : roleSteps;
  const mayWork = claimedByMe || claimedByOther || allowed.has('claim');
  // Why this user cannot work the case, in the words the panel shows.
  const lastDecider = [...(detail?.history ?? [])].reverse().find((e) => e.action === 'case.decision')?.actor;
  const whyNot = mayWork
    ? null
    : c?.appeal && lastDecider && 'id' in lastDecider && lastDecider.id === user.id
      ? 'This appeal is against your own decision, so another moderator reviews it.'
      : c?.status === 'escalated' && user.role === 'moderator'
        ? 'This case was escalated: a child-safety specialist handles it.'
        : 'You cannot work this case right now.';

  const fail = (err: unknown, what: string) => {
    if (err instanceof ApiError && (err.status === 401 || err.code === 'forbidden')) return;
    const e = err as ApiError;
    const why =
      e.code === 'claimed'
        ? `someone else has claimed it${(e.body.claimedBy as { name?: string } | undefined)?.name ? ` (${(e.body.claimedBy as { name: string }).name})` : ''}`
        : e.code === 'same_reviewer'
          ? 'an appeal must be reviewed by someone other than the moderator who made the decision'
          : e.code === 'not_claimed'
            ? 'you no longer hold the claim on this case; claim it again'
            : e.code === 'conflict'
              ? 'the case changed while you were reading it; it has been reloaded, please check it again'
              : e.message;
    setBanner({
      kind: 'error',
      text: `Could not ${what}: ${why}.${e.problems?.length ? ` ${e.problems.join('; ')}` : ''}`,
    });
    if (e.code === 'conflict' || e.code === 'not_claimed' || e.code === 'claimed') void load();
  };

  const claim = async () => {
    if (!c) return;
    setBusy(true);
    try {
      if (claimedByMe) {
        await api.release(c.id);
        setBanner({ kind: 'ok', text: 'Claim released: the case is back in the queue.' });
      } else {
        await api.claim(c.id);
        setBanner({ kind: 'ok', text: 'You have claimed this case for 30 minutes (renewed while you work on it).' });
      }
      setForm(null);
      await load();
    } catch (err) {
      fail(err, claimedByMe ? 'release the case' : 'claim the case');
    } finally {
      setBusy(false);
    }
  };

  const openForm = (action: string) => {
    const step = steps.find((s) => s.action === action);
    if (!step || !mayWork) return;
    if (!claimedByMe) {
      setBanner({ kind: 'error', text: 'Claim the case first (press c) so no one else works it at the same time.' });
      return;
    }
    setBanner(null);
    setForm(step);
  };

  const nextCase = async () => {
    try {
      const res = await api.next();
      if (res) navigate(`/cases/${encodeURIComponent(res.case.id)}`);
      else setBanner({ kind: 'ok', text: 'No case is waiting that you can take right now.' });
    } catch (err) {
      fail(err, 'take the next case');
    }
  };

  const keys: Record<string, () => void> = {
    c: () => void claim(),
    u: () => navigate('/queue'),
  };
  for (const [action, key] of Object.entries(ACTION_KEYS)) keys[key] = () => openForm(action);
  // Once the case is decided, n moves on as it does in the queue (never while a case is still open).
  if (c && !(c.status === 'open' || c.status === 'in_review' || c.status === 'escalated'))
    keys.n = () => void nextCase();
  useShortcuts(keys, !!detail && !form);

  const showMessage = (messageId: string) => {
    const el = document.getElementById(`msg-${messageId}`);
    if (!el) return;
    el.scrollIntoView({ block: 'center', behavior: 'smooth' });
    el.classList.remove('flash');
    void el.offsetWidth;
    el.classList.add('flash');
    el.focus({ preventScroll: true });
  };

  if (error) {
    if (error instanceof ApiError && error.status === 404) {
      return (
        <section className="page narrow">
          <h1>Case not found</h1>
          <p>There is no case {id} in your organisation.</p>
          <p>
            <a {...linkProps('/queue')}>Back to the queue</a>
          </p>
        </section>
      );
    }
    return (
      <section className="page narrow">
        <p className="form-error" role="alert">
          Could not load case {id}: {error.message}
        </p>
        <button type="button" className="btn" onClick={load}>
          Try again
        </button>
      </section>
    );
  }
  if (!detail || !c)
    return (
      <section className="page" aria-busy="true">
        <p className="muted">Loading case…</p>
      </section>
    );

  const people = new Map<string, { person: Person; role: 'accused' | 'child' }>();
  people.set(detail.accused.userId, { person: detail.accused, role: 'accused' });
  for (const ch of detail.children) people.set(ch.userId, { person: ch, role: 'child' });
  const canAudit = user.role !== 'moderator';
  const open = c.status === 'open' || c.status === 'in_review' || c.status === 'escalated';
  const purgedAt = c.evidencePurgedAt ?? null;

  return (
    <section className="page case" aria-labelledby="case-title">
      <div className="case-head">
        <div>
          <p className="crumbs">
            <a {...linkProps('/queue')}>Queue</a> <span aria-hidden="true">/</span> Case {c.id}
          </p>
          <h1 id="case-title">
            <span className="accused">{c.accusedId}</span>
            <LevelBadge level={c.level} />
            <span className="score" title="Risk score 0–100: a reason for review, not a verdict">
              risk {pct(c.score)}
            </span>
            {c.appeal && <span className="tag tag-appeal">appeal</span>}
            <span className="tag">{words(c.status)}</span>
          </h1>
          <ReasonChips reasons={c.reasons} />
          <p className="muted small" data-testid="model-id">
            {c.modelId ? (
              <>
                Scored by risk model <span className="mono">{c.modelId}</span>
              </>
            ) : (
              'Risk model not recorded (case from before models were named)'
            )}
          </p>
        </div>
        <div className="claim-box" data-testid="claim-state">
          {claimedByMe ? (
            <p>
              Claimed by <strong>you</strong>
              {c.claimExpiresAt ? ` until ${fmtHourMinute(c.claimExpiresAt)}` : ''}
            </p>
          ) : claimedByOther ? (
            <p>
              Claimed by <strong>{c.claimedBy!.name}</strong>
              {c.claimExpiresAt ? ` until ${fmtHourMinute(c.claimExpiresAt)}` : ''}
            </p>
          ) : (
            <p className="muted">Not claimed</p>
          )}
          {open && mayWork && (
            <button
              type="button"
              className={claimedByMe ? 'btn' : 'btn btn-primary'}
              onClick={claim}
              disabled={busy || !(allowed.has('claim') || allowed.has('release'))}
            >
              {claimedByMe ? 'Release' : 'Claim'} <kbd>c</kbd>
            </button>
          )}
          {canAudit && (
            <a className="small" {...linkProps(`/audit?caseId=${encodeURIComponent(c.id)}`)}>
              Audit log for this case
            </a>
          )}
        </div>
      </div>

      {banner && (
        <div
          className={banner.kind === 'ok' ? 'notice' : 'form-error'}
          role={banner.kind === 'ok' ? 'status' : 'alert'}
          data-testid="case-banner"
        >
          {banner.text}
        </div>
      )}

      {purgedAt !== null && (
        <div className="notice notice-retention" role="note" data-testid="evidence-purged">
          <strong>Evidence removed by retention on {fmtDate(purgedAt)}.</strong> This case was dismissed, and after the
          retention period its message texts, quoted spans and attachment references were deleted. The decision, the
          history and the audit log are kept.
        </div>
      )}

      <div className="case-grid">
        <div className="case-main">
          <div className="summary-row">
            <Section title="Why Lifeguard flagged this" id="why">
              <Explanation lines={detail.explanation} />
            </Section>
            <Section title="How risk built up" id="timeline">
              {purgedAt !== null ? (
                <p className="muted">Not available: the messages were removed by retention.</p>
              ) : (
                <RiskTimeline points={detail.timeline} onPick={showMessage} />
              )}
            </Section>
          </div>
          {detail.fanOut && (
            <Section title="Same approach to several children" id="fan-out">
              <p data-testid="fan-out-summary">
                <span className="accused">{c.accusedId}</span> sent the same {detail.fanOut.intentWords || 'messages'}{' '}
                to {detail.fanOut.children.length} {detail.fanOut.children.length === 1 ? 'child' : 'children'}{' '}
                {detail.fanOut.span}.
              </p>
              <p className="small">
                Children reached:{' '}
                {detail.fanOut.children.map((child, i) => (
                  <span key={child}>
                    {i > 0 && ', '}
                    <span className="mono" data-testid="fan-out-child">
                      {child}
                    </span>
                  </span>
                ))}
              </p>
              <p className="small">
                Conversations:{' '}
                {detail.fanOut.conversations.map((id, i) => (
                  <span key={id}>
                    {i > 0 && ', '}
                    <a href={`#conv-${id}`} className="mono">
                      {id}
                    </a>
                  </span>
                ))}
              </p>
            </Section>
          )}
          {detail.mediaMatches.length > 0 && (
            <MediaMatches
              matches={detail.mediaMatches}
              revealed={revealed}
              onReveal={async (m) => {
                try {
                  const r = await api.reveal(c.id, m.mediaId);
                  setRevealed({ mediaId: m.mediaId, ref: r.ref, kind: r.kind });
                } catch (err) {
                  fail(err, 'reveal the media');
                }
              }}
              onHide={() => setRevealed(null)}
            />
          )}
          {detail.conversations.map((conv) => (
            <ConversationPanel
              key={conv.id}
              conv={conv}
              purgedAt={purgedAt}
              people={people}
              revealed={revealed}
              onReveal={async (m) => {
                try {
                  const r = await api.reveal(c.id, m.id);
                  setRevealed({ mediaId: m.id, ref: r.ref, kind: r.kind });
                } catch (err) {
                  fail(err, 'reveal the media');
                }
              }}
              onHide={() => setRevealed(null)}
            />
          ))}
        </div>

        <aside className="case-side" aria-label="Decision and context">
          <DecisionPanel
            steps={mayWork ? steps : []}
            whyNot={whyNot}
            open={open}
            claimedByMe={claimedByMe}
            form={form}
            onOpen={openForm}
            onCancel={() => setForm(null)}
            onDecide={async (body) => {
              try {
                const res = await api.decide(c.id, { ...body, expectedVersion: c.version });
                setForm(null);
                setBanner({
                  kind: 'ok',
                  text: `Decision recorded: ${words(body.action)} (${words(body.reason)}). Audit entry #${res.audit.seq}.`,
                });
                await load();
                window.scrollTo({ top: 0 });
                return true;
              } catch (err) {
                fail(err, `record the decision`);
                return false;
              }
            }}
            onNext={nextCase}
          />
          {user.role === 'specialist' && <ReportsPanel detail={detail} />}
          <Section title="People" id="people">
            <PersonCard person={detail.accused} side="accused" />
            {detail.children.map((ch) => (
              <PersonCard key={ch.userId} person={ch} side="child" />
            ))}
          </Section>
          <Section title="Other children this account contacted" id="other-children">
            {detail.otherChildren.length === 0 ? (
              <p className="muted">None seen.</p>
            ) : (
              <table className="compact">
                <thead>
                  <tr>
                    <th scope="col">Account</th>
                    <th scope="col" className="num">
                      Age
                    </th>
                    <th scope="col">First contact</th>
                    <th scope="col" className="num">
                      Chats
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {detail.otherChildren.map((o) => (
                    <tr key={o.userId}>
                      <td>{o.userId}</td>
                      <td className="num">{o.age ?? '?'}</td>
                      <td>{fmtDate(o.firstContactAt)}</td>
                      <td className="num">{o.conversationIds.length}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </Section>
          <Section title="Linked accounts" id="linked">
            {detail.linkedAccounts.length === 0 ? (
              <p className="muted">No linked accounts found.</p>
            ) : (
              <ul className="linked">
                {detail.linkedAccounts.map((l) => (
                  <li key={l.userId}>
                    <span className="accused">{l.userId}</span>{' '}
                    {l.banned && <span className="tag tag-banned">banned</span>}
                    <ul>
                      {l.links.map((k, i) => (
                        // biome-ignore lint/suspicious/noArrayIndexKey: a fixed list, rendered whole and never reordered
                        <li key={i}>
                          <span className="chip">{words(k.kind)}</span> {k.explanation}
                        </li>
                      ))}
                    </ul>
                  </li>
                ))}
              </ul>
            )}
          </Section>
          <Section title="Case history" id="history">
            <History entries={detail.history} />
            <NoteForm caseId={c.id} onAdded={load} />
          </Section>
        </aside>
      </div>
    </section>
  );
}

/** The engine's reasons, strongest first: the first few at once, the rest on request. */
function Explanation({ lines }: { lines: string[] }) {
  const [all, setAll] = useState(false);
  const FIRST = 4;
  if (lines.length === 0) return <p className="muted">No explanation recorded.</p>;
  return (
    <>
      <ul className="explanation" id="explanation-list">
        {(all ? lines : lines.slice(0, FIRST)).map((line, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: a fixed list, rendered whole and never reordered
          <li key={i}>{line}</li>
        ))}
      </ul>
      {lines.length > FIRST && (
        <button
          type="button"
          className="linklike more"
          aria-expanded={all}
          aria-controls="explanation-list"
          onClick={() => setAll(!all)}
        >
          {all ? 'Show fewer' : `Show all ${lines.length} reasons`}
        </button>
      )}
    </>
  );
}

function ConversationPanel({
  conv,
  purgedAt,
  people,
  revealed,
  onReveal,
  onHide,
}: {
  conv: Conversation;
  /** Set when retention removed the case's messages: a notice replaces the (empty) bubbles. */
  purgedAt: number | null;
  people: Map<string, { person: Person; role: 'accused' | 'child' }>;
  revealed: Revealed | null;
  onReveal(m: MediaItem): Promise<void>;
  onHide(): void;
}) {
  const sx = conv.sextortion;
  const sxParts = sx ? (['leverage', 'threat', 'payment', 'deadline'] as const).filter((k) => sx[k]) : [];
  return (
    <section className="panel conversation" aria-labelledby={`conv-${conv.id}`}>
      <h2 id={`conv-${conv.id}`}>
        Conversation <span className="mono">{conv.id}</span> <LevelBadge level={conv.level} />
        <span className="muted small">
          {' '}
          risk {pct(conv.score)}
          {conv.stage ? ` · reached ${words(conv.stage)}` : ''}
          {conv.modelId ? ` · model ${conv.modelId}` : ''}
        </span>
      </h2>
      {sxParts.length > 0 && <p className="sextortion-note">Sextortion pattern: {sxParts.join(', ')}.</p>}
      {purgedAt !== null ? (
        <p className="retention-gap" data-testid="messages-purged">
          {conv.messages.length} message{conv.messages.length === 1 ? '' : 's'} removed by retention on{' '}
          {fmtDate(purgedAt)}.
        </p>
      ) : (
        <ol className="messages">
          {conv.messages.map((m) => {
            const who = people.get(m.senderId);
            const age = who?.person.age;
            return (
              <li
                key={m.id}
                id={`msg-${m.id}`}
                tabIndex={-1}
                className={`message from-${who?.role ?? 'other'}`}
                data-message-id={m.id}
              >
                <div className="message-meta">
                  <span className="sender">{m.senderId}</span>
                  <span className="muted small">
                    {who ? (who.role === 'accused' ? 'accused' : 'child') : 'participant'}
                    {age != null ? `, ${age}` : ''}
                  </span>
                  <time className="muted small" dateTime={new Date(m.time).toISOString()} title={fmtDateTime(m.time)}>
                    {fmtShort(m.time)}
                  </time>
                </div>
                <div className="message-text">
                  {m.textPurged ? (
                    <em className="muted">Text removed under the retention policy.</em>
                  ) : m.text != null ? (
                    <HighlightedText text={m.text} spans={m.spans} />
                  ) : null}
                </div>
                {m.media.length > 0 && (
                  <div className="media-row">
                    {m.media.map((media) => (
                      <MediaTile
                        key={media.id}
                        media={media}
                        revealed={revealed?.mediaId === media.id ? revealed : null}
                        onReveal={() => onReveal(media)}
                        onHide={onHide}
                      />
                    ))}
                  </div>
                )}
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}

function DecisionPanel({
  steps,
  whyNot,
  open,
  claimedByMe,
  form,
  onOpen,
  onCancel,
  onDecide,
  onNext,
}: {
  steps: LadderStep[];
  whyNot: string | null;
  open: boolean;
  claimedByMe: boolean;
  form: LadderStep | null;
  onOpen(action: string): void;
  onCancel(): void;
  onDecide(body: { action: string; reason: string; note: string; durationHours?: number }): Promise<boolean>;
  onNext(): void;
}) {
  return (
    <section className="panel decision" aria-labelledby="decision-title">
      <h2 id="decision-title">Decision</h2>
      {!open ? (
        <>
          <p className="muted">This case is closed. An appeal reopens it.</p>
          <button type="button" className="btn btn-primary" onClick={onNext}>
            Next case <kbd>n</kbd>
          </button>
        </>
      ) : whyNot || steps.length === 0 ? (
        <p className="muted" data-testid="cannot-work">
          {whyNot ?? 'Your role has no decisions on this case.'}
        </p>
      ) : form ? (
        <DecisionForm step={form} onCancel={onCancel} onDecide={onDecide} />
      ) : (
        <>
          {!claimedByMe && (
            <p className="muted small">
              Claim the case to decide. Each key opens a confirm form; nothing happens in one keystroke.
            </p>
          )}
          {[steps.filter((s) => !ENFORCING(s)), steps.filter(ENFORCING)].map(
            (group, gi) =>
              group.length > 0 && (
                <ul
                  className={gi === 0 ? 'ladder ladder-review' : 'ladder'}
                  key={gi === 0 ? 'review' : 'enforcement'}
                  aria-label={gi === 0 ? 'Review' : 'Enforcement, mildest first'}
                >
                  {group.map((s) => (
                    <li key={s.action}>
                      <button
                        type="button"
                        className={`btn ladder-btn action-${s.action}`}
                        onClick={() => onOpen(s.action)}
                        disabled={!claimedByMe}
                        title={s.description}
                      >
                        <span>{s.label}</span>
                        {ACTION_KEYS[s.action] && <kbd>{ACTION_KEYS[s.action]}</kbd>}
                      </button>
                    </li>
                  ))}
                </ul>
              ),
          )}
        </>
      )}
    </section>
  );
}

function DecisionForm({
  step,
  onCancel,
  onDecide,
}: {
  step: LadderStep;
  onCancel(): void;
  onDecide(body: { action: string; reason: string; note: string; durationHours?: number }): Promise<boolean>;
}) {
  const [reason, setReason] = useState(step.reasons.length === 1 ? step.reasons[0]! : '');
  const [note, setNote] = useState('');
  const [hours, setHours] = useState('72');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const noteRef = useRef<HTMLTextAreaElement>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: each new step moves the focus to the note field
  useEffect(() => noteRef.current?.focus(), [step]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const trimmed = note.trim();
    if (!reason) return setProblem('Choose a reason.');
    if (trimmed.length < 10)
      return setProblem('Write a note of at least 10 characters: what you saw and why this action.');
    const h = Number(hours);
    if (step.needsDuration && !(Number.isInteger(h) && h > 0))
      return setProblem('Duration must be a whole number of hours.');
    setProblem(null);
    setBusy(true);
    const ok = await onDecide({
      action: step.action,
      reason,
      note: trimmed,
      ...(step.needsDuration ? { durationHours: h } : {}),
    });
    if (!ok) setBusy(false);
  };

  return (
    <form
      noValidate
      className="decision-form"
      onSubmit={submit}
      aria-labelledby="decision-form-title"
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.preventDefault();
          onCancel();
        }
      }}
      data-testid="decision-form"
    >
      <h3 id="decision-form-title">{step.label}</h3>
      <p className="muted small">{step.description}</p>
      <label htmlFor="decision-reason">Reason</label>
      <select id="decision-reason" value={reason} onChange={(e) => setReason(e.target.value)} required>
        {step.reasons.length !== 1 && <option value="">Choose a reason…</option>}
        {step.reasons.map((r) => (
          <option key={r} value={r}>
            {words(r)}
          </option>
        ))}
      </select>
      {step.needsDuration && (
        <>
          <label htmlFor="decision-hours">Duration (hours)</label>
          <input
            id="decision-hours"
            type="number"
            min={1}
            step={1}
            value={hours}
            onChange={(e) => setHours(e.target.value)}
            required
          />
        </>
      )}
      <label htmlFor="decision-note">
        Note <span className="muted small">(required, kept in the audit log)</span>
      </label>
      <textarea
        id="decision-note"
        ref={noteRef}
        rows={4}
        maxLength={4000}
        value={note}
        onChange={(e) => setNote(e.target.value)}
        required
        placeholder="What you saw and why this action"
      />
      <p className="muted small counter" aria-live="polite">
        {note.trim().length < 10 ? `${10 - note.trim().length} more characters needed` : `${note.length} / 4000`}
      </p>
      {problem && (
        <p className="form-error" role="alert">
          {problem}
        </p>
      )}
      <div className="btn-row">
        <button type="submit" className={`btn btn-primary action-${step.action}`} disabled={busy}>
          Confirm: {step.label}
        </button>
        <button type="button" className="btn" onClick={onCancel}>
          Cancel <kbd>Esc</kbd>
        </button>
      </div>
    </form>
  );
}

function PersonCard({ person: p, side }: { person: Person; side: 'accused' | 'child' }) {
  const mismatch = p.declaredAge != null && p.disclosedAge != null && p.declaredAge !== p.disclosedAge;
  return (
    <div className={`person person-${side}`} data-testid={`person-${side}`}>
      <div className="person-head">
        <span className="accused">{p.userId}</span>
        <span className={`tag tag-${side}`}>{side === 'accused' ? 'accused' : 'child'}</span>
      </div>
      <dl className="facts">
        <div>
          <dt>Age</dt>
          <dd>
            {p.age ?? 'unknown'} <span className="muted">({ageSourceText(p.ageSource)})</span>
            {mismatch && (
              <span className="mismatch">
                {' '}
                declared {p.declaredAge}, stated {p.disclosedAge} in chat
              </span>
            )}
          </dd>
        </div>
        <div>
          <dt>Account</dt>
          <dd>
            {p.accountCreatedAt
              ? `created ${ago(p.accountCreatedAt)} (${fmtDate(p.accountCreatedAt)})`
              : 'creation date not known'}
          </dd>
        </div>
        {p.country && (
          <div>
            <dt>Country</dt>
            <dd>{p.country}</dd>
          </div>
        )}
        {side === 'accused' && (
          <>
            <div>
              <dt>Prior cases</dt>
              <dd>
                {p.priorCases.length === 0 ? (
                  'none'
                ) : (
                  <ul className="inline-list">
                    {p.priorCases.map((pc) => (
                      <li key={pc.id}>
                        <a {...linkProps(`/cases/${encodeURIComponent(pc.id)}`)}>{pc.id}</a> {words(pc.status)},{' '}
                        {pc.level}, {fmtDate(pc.openedAt)}
                      </li>
                    ))}
                  </ul>
                )}
              </dd>
            </div>
            <div>
              <dt>Actions</dt>
              <dd>
                {p.actions.length === 0 ? (
                  'none'
                ) : (
                  <ul className="inline-list">
                    {p.actions.map((a, i) => (
                      // biome-ignore lint/suspicious/noArrayIndexKey: a fixed list, rendered whole and never reordered
                      <li key={i}>
                        {words(a.action)} by {a.by}, {fmtDate(a.at)}
                      </li>
                    ))}
                  </ul>
                )}
              </dd>
            </div>
          </>
        )}
      </dl>
    </div>
  );
}

export function describeDetails(details: unknown): string {
  if (!details || typeof details !== 'object') return details == null ? '' : String(details);
  const d = details as Record<string, unknown>;
  const parts: string[] = [];
  // Codes (action, reason, role) read better as words; ids and emails are shown exactly as stored.
  const CODES = new Set(['action', 'reason', 'role', 'view']);
  for (const key of ['action', 'reason', 'durationHours', 'mediaId', 'role', 'disabled', 'view', 'email']) {
    const v = d[key];
    if (v !== undefined && v !== null && typeof v !== 'object')
      parts.push(`${words(key)}: ${CODES.has(key) ? words(String(v)) : String(v)}`);
  }
  if (typeof d.note === 'string') parts.push(`“${d.note}”`);
  return parts.join(' · ');
}

function History({ entries }: { entries: AuditEntry[] }) {
  if (entries.length === 0) return <p className="muted">Nothing recorded yet.</p>;
  return (
    <ol className="history">
      {[...entries].reverse().map((e) => (
        <li key={e.seq}>
          <span className="muted small">{fmtDateTime(e.at)}</span> <strong>{words(e.action)}</strong>{' '}
          <span className="small">{actorName(e.actor)}</span>
          {describeDetails(e.details) && <div className="small">{describeDetails(e.details)}</div>}
        </li>
      ))}
    </ol>
  );
}

function NoteForm({ caseId, onAdded }: { caseId: string; onAdded(): void }) {
  const [note, setNote] = useState('');
  const [error, setError] = useState<string | null>(null);
  return (
    <form
      className="note-form"
      onSubmit={async (e) => {
        e.preventDefault();
        if (!note.trim()) return;
        try {
          await api.note(caseId, note.trim());
          setNote('');
          setError(null);
          onAdded();
        } catch (err) {
          setError((err as Error).message);
        }
      }}
    >
      <label htmlFor="case-note">Add a note</label>
      <textarea id="case-note" rows={2} value={note} maxLength={4000} onChange={(e) => setNote(e.target.value)} />
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" className="btn btn-small" disabled={!note.trim()}>
        Add note
      </button>
    </form>
  );
}
