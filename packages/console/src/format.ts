// Plain-language formatting shared by the views.

export function duration(ms: number): string {
  const min = Math.max(0, Math.floor(ms / 60_000));
  if (min < 1) return 'just now';
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 48) return `${h} h ${min % 60 ? `${min % 60} min` : ''}`.trim();
  const d = Math.floor(h / 24);
  if (d < 7 && h % 24) return `${d} d ${h % 24} h`;
  return `${d} d`;
}

export function ago(at: number, now = Date.now()): string {
  const d = duration(now - at);
  return d === 'just now' ? d : `${d} ago`;
}

const dateTime = new Intl.DateTimeFormat(undefined, {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});
const timeOnly = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
const withSeconds = new Intl.DateTimeFormat(undefined, {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});
const short = new Intl.DateTimeFormat(undefined, {
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});
const hourMinute = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dateOnly = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric' });

export const fmtDateTime = (t: number) => dateTime.format(new Date(t));
export const fmtTime = (t: number) => timeOnly.format(new Date(t));
export const fmtSeconds = (t: number) => withSeconds.format(new Date(t));
export const fmtShort = (t: number) => short.format(new Date(t));
export const fmtHourMinute = (t: number) => hourMinute.format(new Date(t));
export const fmtDate = (t: number) => dateOnly.format(new Date(t));

/** "risk_assessment" -> "risk assessment". */
export const words = (s: string) => s.replace(/[_.]/g, ' ');

export const pct = (score: number) => `${Math.round(score * 100)}`;

const AGE_SOURCES: Record<string, string> = {
  declared: 'declared at sign-up',
  disclosed: 'stated in chat',
  unknown: 'not known',
  estimated: 'estimated',
  verified: 'verified',
};
export const ageSourceText = (s: string) => AGE_SOURCES[s] ?? words(s);

export function actorName(actor: { id: string; name: string; role: string } | { system: string }): string {
  // System actors: the engine itself, an API key (by name) or a tool such as the CLI.
  return 'system' in actor
    ? actor.system === 'lifeguard'
      ? 'Lifeguard (automatic)'
      : `${actor.system} (system)`
    : `${actor.name} (${actor.role})`;
}
