// Everything in a report that came from the export is escaped: chat text is hostile input.
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  // Bidi overrides could make a message read differently from what was sent: shown, not obeyed.
  return text
    .replace(/[&<>"']/g, (c) => ENTITIES[c]!)
    .replace(/[\u202a-\u202e\u2066-\u2069]/g, (c) => `&lt;U+${c.charCodeAt(0).toString(16).toUpperCase()}&gt;`);
}

export interface Span {
  start: number;
  end: number;
  label: string;
}

/** The text with each span wrapped in <mark> (overlaps merged), everything escaped. */
export function highlight(text: string, spans: Span[]): string {
  const sorted = spans
    .filter((s) => s.end > s.start && s.start >= 0 && s.end <= text.length)
    .sort((a, b) => a.start - b.start || b.end - a.end);
  const merged: Span[] = [];
  for (const s of sorted) {
    const last = merged[merged.length - 1];
    if (last && s.start < last.end) {
      last.end = Math.max(last.end, s.end);
      if (!last.label.split(', ').includes(s.label)) last.label += `, ${s.label}`;
    } else merged.push({ ...s });
  }
  let out = '';
  let at = 0;
  for (const s of merged) {
    out += escapeHtml(text.slice(at, s.start));
    out += `<mark title="${escapeHtml(s.label)}">${escapeHtml(text.slice(s.start, s.end))}</mark>`;
    at = s.end;
  }
  return out + escapeHtml(text.slice(at));
}
