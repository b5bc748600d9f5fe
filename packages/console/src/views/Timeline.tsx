// How risk built up, message by message: an inline SVG line per conversation (no chart library). Points
// are in message order rather than clock time, so a gap of days does not squash the conversation; each
// point is focusable and jumps to its message.
import { fmtDateTime, pct, words } from '../format.ts';
import type { TimelinePoint } from '../types.ts';

const W = 560;
const H = 168;
const PAD = { left: 30, right: 8, top: 8, bottom: 32 };

export function RiskTimeline({ points, onPick }: { points: TimelinePoint[]; onPick(messageId: string): void }) {
  if (points.length === 0) return <p className="muted">No scored messages yet.</p>;
  const ordered = [...points].sort((a, b) => a.time - b.time);
  const convs = [...new Set(ordered.map((p) => p.conversationId))];
  const n = ordered.length;
  const x = (i: number) =>
    PAD.left + (n === 1 ? (W - PAD.left - PAD.right) / 2 : (i * (W - PAD.left - PAD.right)) / (n - 1));
  const y = (score: number) => PAD.top + (1 - Math.max(0, Math.min(1, score))) * (H - PAD.top - PAD.bottom);
  const peak = ordered.reduce((m, p) => (p.score > m.score ? p : m), ordered[0]!);
  const first = ordered[0]!;
  const last = ordered[n - 1]!;
  // Mark where the furthest grooming stage changes, so the shape of the approach is visible.
  // Labels go on two rows under the chart; one that fits on neither is left to the point's tooltip.
  const rowEnds = [-Infinity, -Infinity];
  const stageChanges = ordered
    .map((p, i) => ({ p, i }))
    .filter(({ p, i }) => p.stage && (i === 0 || ordered[i - 1]!.stage !== p.stage))
    .map(({ p, i }) => {
      const label = words(p.stage!);
      const width = label.length * 5.6;
      const anchorEnd = x(i) + 3 + width > W;
      const left = anchorEnd ? x(i) - 3 - width : x(i) + 3;
      const row = rowEnds.findIndex((end) => left > end + 6);
      if (row >= 0) rowEnds[row] = left + width;
      return { p, i, label, anchorEnd, row };
    });

  return (
    <figure className="timeline">
      {/* biome-ignore lint/a11y/useSemanticElements: SVG has no fieldset; the role groups the chart's points */}
      <svg viewBox={`0 0 ${W} ${H}`} role="group" aria-label="Risk score per message" className="timeline-svg">
        {[0, 0.25, 0.5, 0.75, 1].map((g) => (
          <g key={g}>
            <line x1={PAD.left} x2={W - PAD.right} y1={y(g)} y2={y(g)} className="grid" />
            <text x={PAD.left - 6} y={y(g) + 4} className="axis" textAnchor="end">
              {pct(g)}
            </text>
          </g>
        ))}
        {stageChanges.map(({ i, label, anchorEnd, row }) => (
          <g key={`s${i}`}>
            <line x1={x(i)} x2={x(i)} y1={PAD.top} y2={H - PAD.bottom + (row === 1 ? 14 : 4)} className="stage-line" />
            {row >= 0 && (
              <text
                x={anchorEnd ? x(i) - 3 : x(i) + 3}
                y={H - PAD.bottom + 12 + row * 13}
                textAnchor={anchorEnd ? 'end' : 'start'}
                className="axis stage-text"
              >
                {label}
              </text>
            )}
          </g>
        ))}
        {convs.map((c, ci) => {
          const idx = ordered.map((p, i) => ({ p, i })).filter(({ p }) => p.conversationId === c);
          return (
            <polyline
              key={c}
              className={`series series-${ci % 4}`}
              points={idx.map(({ p, i }) => `${x(i)},${y(p.score)}`).join(' ')}
            />
          );
        })}
        {ordered.map((p, i) => (
          // biome-ignore lint/a11y/useSemanticElements: an SVG point cannot be a <button>; it takes Enter and Space below
          <circle
            // biome-ignore lint/suspicious/noArrayIndexKey: a message id can repeat; the position makes the key unique
            key={`${p.messageId}-${i}`}
            cx={x(i)}
            cy={y(p.score)}
            r={4}
            className={`point level-dot-${p.level}`}
            tabIndex={0}
            role="button"
            aria-label={`Message at ${fmtDateTime(p.time)}: risk ${pct(p.score)}, ${p.level}${p.stage ? `, stage ${words(p.stage)}` : ''}. Show message.`}
            onClick={() => onPick(p.messageId)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' || e.key === ' ') {
                e.preventDefault();
                onPick(p.messageId);
              }
            }}
          >
            <title>{`${fmtDateTime(p.time)} · risk ${pct(p.score)} (${p.level})${p.stage ? ` · ${words(p.stage)}` : ''}`}</title>
          </circle>
        ))}
      </svg>
      <figcaption className="muted small">
        Risk went from {pct(first.score)} to {pct(last.score)} over {n} message{n === 1 ? '' : 's'}; highest{' '}
        {pct(peak.score)} ({peak.level}) at {fmtDateTime(peak.time)}. Score 0–100 is a reason for review, not a verdict.
      </figcaption>
    </figure>
  );
}
