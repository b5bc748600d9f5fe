// A small history router: the console has six routes, which does not earn a routing library.
// Paths inside the app are written without the /console base ("/queue", "/cases/c1").
import { useEffect, useState, type MouseEvent } from 'react';

export const BASE = '/console';

function current(): string {
  const p = window.location.pathname;
  const inner = p.startsWith(BASE) ? p.slice(BASE.length) : p;
  return inner === '' ? '/' : inner;
}

const listeners = new Set<() => void>();
window.addEventListener('popstate', () => {
  for (const l of listeners) l();
});

export function navigate(path: string, opts: { replace?: boolean } = {}): void {
  const url = `${BASE}${path}`;
  if (url === window.location.pathname + window.location.search) return;
  if (opts.replace) window.history.replaceState(null, '', url);
  else window.history.pushState(null, '', url);
  for (const l of listeners) l();
  window.scrollTo(0, 0);
}

/** The current in-app path and query string, re-rendering on navigation. */
export function useLocation(): { path: string; search: URLSearchParams } {
  const [loc, setLoc] = useState(() => ({ path: current(), search: window.location.search }));
  useEffect(() => {
    const update = () => setLoc({ path: current(), search: window.location.search });
    listeners.add(update);
    return () => {
      listeners.delete(update);
    };
  }, []);
  return { path: loc.path, search: new URLSearchParams(loc.search) };
}

/** Props for an <a> that navigates in-app on a plain click and still works as a link (new tab, copy). */
export function linkProps(path: string): { href: string; onClick(e: MouseEvent): void } {
  return {
    href: `${BASE}${path}`,
    onClick(e) {
      if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
      e.preventDefault();
      navigate(path);
    },
  };
}
