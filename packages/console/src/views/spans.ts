// Evidence highlighting, the pure part: message text cut at span offsets into pieces that each know the
// spans covering them. Overlapping spans are fine, and each span is labelled where it ends. Offsets
// outside the text are clipped or dropped (a purged or edited message must not break the view).
import { words } from '../format.ts';
import type { Span } from '../types.ts';

export interface Piece {
  text: string;
  spans: Span[];
  /** Spans that end with this piece (their label goes after it). */
  ending: Span[];
}

export function pieces(text: string, spans: Span[]): Piece[] {
  const seen = new Set<string>();
  const valid = spans
    // The same match can arrive twice (two reports quoting one message); label it once.
    .filter((s) => {
      const key = `${s.start}:${s.end}:${s.signal}:${s.stage}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .filter(
      (s) =>
        Number.isInteger(s.start) &&
        Number.isInteger(s.end) &&
        s.start >= 0 &&
        s.start < text.length &&
        s.end > s.start,
    )
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
