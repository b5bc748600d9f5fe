// Small pieces shared by the views.
import type { ReactNode } from 'react';
import { words } from '../format.ts';

const LEVELS = new Set(['none', 'low', 'medium', 'high', 'critical']);

export function LevelBadge({ level }: { level: string }) {
  const cls = LEVELS.has(level) ? level : 'none';
  return <span className={`level level-${cls}`}>{words(level)}</span>;
}

/** Reasons as chips; the few that set a clock (sextortion, known images, young children) stand out. */
export function ReasonChips({ reasons }: { reasons: string[] }) {
  return (
    <ul className="chips" aria-label="Reasons">
      {reasons.map((r) => (
        <li key={r} className={`chip${/sextortion|deadline|known.image|bank/i.test(r) ? ' chip-strong' : ''}`}>
          {r}
        </li>
      ))}
    </ul>
  );
}

export function Section({
  title,
  children,
  id,
  className,
}: {
  title: string;
  children: ReactNode;
  id?: string;
  className?: string;
}) {
  const hid = `${id ?? title.toLowerCase().replace(/\W+/g, '-')}-title`;
  return (
    <section className={`panel${className ? ` ${className}` : ''}`} aria-labelledby={hid}>
      <h2 id={hid}>{title}</h2>
      {children}
    </section>
  );
}
