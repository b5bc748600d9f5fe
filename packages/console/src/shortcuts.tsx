// Single-key shortcuts for people who work the queue all day. Keys never fire while typing in a field,
// and no key acts on a case by itself: decision keys only open the confirm form.
import { useEffect, useRef } from 'react';

function typingIn(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  const tag = target.tagName;
  return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || target.isContentEditable;
}

/** Binds keys (KeyboardEvent.key values) to handlers while `enabled`; the latest handlers are always used. */
export function useShortcuts(map: Record<string, (e: KeyboardEvent) => void>, enabled = true): void {
  const ref = useRef(map);
  ref.current = map;
  useEffect(() => {
    if (!enabled) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || typingIn(e.target)) return;
      if (document.querySelector('[role="dialog"][aria-modal="true"]') && e.key !== '?' && e.key !== 'Escape') return;
      const handler = ref.current[e.key];
      if (!handler) return;
      e.preventDefault();
      handler(e);
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [enabled]);
}

const GROUPS: { title: string; keys: [string, string][] }[] = [
  {
    title: 'Anywhere',
    keys: [
      ['?', 'Show or hide this help'],
      ['Esc', 'Close a dialog or form'],
    ],
  },
  {
    title: 'Queue',
    keys: [
      ['j', 'Move down'],
      ['k', 'Move up'],
      ['Enter', 'Open the selected case'],
      ['n', 'Next case: claim the most urgent and open it'],
    ],
  },
  {
    title: 'Case',
    keys: [
      ['c', 'Claim or release the case'],
      ['d', 'Dismiss'],
      ['e', 'Escalate to a specialist'],
      ['w', 'Warn'],
      ['r', 'Restrict contact with children'],
      ['x', 'Remove content'],
      ['s', 'Suspend'],
      ['b', 'Disable (ban)'],
      ['u', 'Back to the queue'],
    ],
  },
];

export function ShortcutHelp({ onClose }: { onClose(): void }) {
  const closeRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    closeRef.current?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') onClose();
    };
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('keydown', onKey);
      before?.focus?.();
    };
  }, [onClose]);
  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: a click on the backdrop closes; the keyboard closes with Escape (above)
    // biome-ignore lint/a11y/useKeyWithClickEvents: the same: Escape is the keyboard's way out
    <div className="overlay" onClick={onClose}>
      {/* biome-ignore lint/a11y/useKeyWithClickEvents: only stops a click inside the dialog from reaching the backdrop */}
      <div
        className="dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby="shortcut-title"
        onClick={(e) => e.stopPropagation()}
      >
        <div className="dialog-head">
          <h2 id="shortcut-title">Keyboard shortcuts</h2>
          <button ref={closeRef} type="button" className="btn btn-quiet" onClick={onClose}>
            Close
          </button>
        </div>
        <p className="muted">
          Decision keys open the confirm form with the note field focused; nothing is decided by one key.
        </p>
        <div className="shortcut-groups">
          {GROUPS.map((g) => (
            <section key={g.title}>
              <h3>{g.title}</h3>
              <dl className="shortcut-list">
                {g.keys.map(([k, what]) => (
                  <div key={k}>
                    <dt>
                      <kbd>{k}</kbd>
                    </dt>
                    <dd>{what}</dd>
                  </div>
                ))}
              </dl>
            </section>
          ))}
        </div>
      </div>
    </div>
  );
}
