// Evidence highlighting in the view: the pieces become plain React text nodes inside <mark>, so text
// that looks like HTML ("<script>") is shown as text and never parsed.
import type { ReactNode } from 'react';
import type { Span } from '../types.ts';
import { pieces, spanLabel, stageClass } from './spans.ts';

export function HighlightedText({ text, spans }: { text: string; spans: Span[] }) {
  const nodes: ReactNode[] = [];
  pieces(text, spans).forEach((p, i) => {
    if (p.spans.length === 0) nodes.push(p.text);
    else {
      const innermost = p.spans.reduce((a, b) => (b.end - b.start < a.end - a.start ? b : a));
      nodes.push(
        // biome-ignore lint/suspicious/noArrayIndexKey: pieces of one text, in order; the position is their identity
        <mark key={`m${i}`} className={`ev ${stageClass(innermost.stage)}`} title={p.spans.map(spanLabel).join('; ')}>
          {p.text}
        </mark>,
      );
    }
    for (const [j, s] of p.ending.entries()) {
      nodes.push(
        // biome-ignore lint/suspicious/noArrayIndexKey: pieces of one text, in order; the position is their identity
        <span key={`l${i}-${j}`} className={`ev-label ${stageClass(s.stage)}`} data-signal={s.signal}>
          {spanLabel(s)}
        </span>,
      );
    }
  });
  return <>{nodes}</>;
}
