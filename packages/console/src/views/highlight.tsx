// Evidence highlighting: the message text is cut at span offsets into plain React text nodes, so text
// that looks like HTML ("<script>") is shown as text and never parsed. Overlapping spans are fine: each
// piece of text knows every span that covers it, and each span is labelled where it ends.
import type { ReactNode } from 'react';
import { words } from '../format.ts';
import type { Span } from '../types.ts';

export interface Piece {
  text: string;
  spans: Span[];
  /** Spans that end with this piece (their label goes after it). */
  ending: Span[];
}

export function pieces(text: string, spans: Span[]): Piece[] {
  const valid = spans
    .filter((s) => Number.isInteger(s.start) && Number.isInteger(s.end) && s.start >= 0 && s.start < text.length && s.end > s.start)
    .map((s) => ({ ...s, end: Math.min(s.end, text.length) }));
  const cuts = [...new Set([0, text.length, ...valid.flatMap((s) => [s.start, s.end])])].sort((a, b) => a - b);
  const out: Piece[] = [];
  for (let i = 0; i + 1 < cuts.length; i++) {
    const a = cuts[i]!;
    const b = cuts[i + 1]!;
    out.push({
      text: text.slice(a, b),
      spans: valid.filter((s) => s.start <= a && s.end >= b),
      ending: valid.filter((s) => s.end === b),
    });
  }
  return out;
}

export const stageClass = (stage: string | null) => `stage-${(stage ?? 'none').replace(/[^a-z_]/gi, '')}`;

export function spanLabel(s: Span): string {
  const what = s.label || words(s.signal);
  return s.stage ? `${what} · ${words(s.stage)}` : what;
}

export function HighlightedText({ text, spans }: { text: string; spans: Span[] }) {
  const nodes: ReactNode[] = [];
  pieces(text, spans).forEach((p, i) => {
    if (p.spans.length === 0) nodes.push(p.text);
    else {
      const innermost = p.spans[p.spans.length - 1]!;
      nodes.push(
        <mark key={`m${i}`} className={`ev ${stageClass(innermost.stage)}`} title={p.spans.map(spanLabel).join('; ')}>
          {p.text}
        </mark>,
      );
    }
    for (const [j, s] of p.ending.entries()) {
      nodes.push(
        <span key={`l${i}-${j}`} className={`ev-label ${stageClass(s.stage)}`} data-signal={s.signal}>
          {spanLabel(s)}
        </span>,
      );
    }
  });
  return <>{nodes}</>;
}
