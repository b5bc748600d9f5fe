// The shell: who is signed in, the top bar, and which view the path asks for. The server checks every
// call; the shell only hides what the role cannot use and shows "forbidden" when the server says 403.
import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { api, type ApiError, onAuthProblem, setCsrfToken } from './api.ts';
import { linkProps, navigate, useLocation } from './router.ts';
import type { Session } from './types.ts';
import { SignIn } from './views/SignIn.tsx';
import { QueueView } from './views/Queue.tsx';
import { CaseView } from './views/Case.tsx';
import { AuditView } from './views/Audit.tsx';
import { StaffView } from './views/Staff.tsx';
import { StatisticsView } from './views/Statistics.tsx';
import { Forbidden, NotFound } from './views/Forbidden.tsx';
import { ShortcutHelp, useShortcuts } from './shortcuts.tsx';

export function App() {
  const [session, setSession] = useState<Session | null | 'loading'>('loading');
  const [forbiddenAt, setForbiddenAt] = useState<string | null>(null);
  const [helpOpen, setHelpOpen] = useState(false);
  const { path, search } = useLocation();

  const accept = useCallback((s: Session | null) => {
    setCsrfToken(s?.csrfToken ?? null);
    setSession(s);
  }, []);

  useEffect(() => {
    api.session().then(accept, () => accept(null));
  }, [accept]);

  useEffect(
    () =>
      onAuthProblem((err: ApiError) => {
        if (err.status === 401) accept(null);
        else setForbiddenAt(window.location.pathname);
      }),
    [accept],
  );

  // A forbidden answer belongs to the page that got it; moving on clears it.
  // biome-ignore lint/correctness/useExhaustiveDependencies: `path` is the trigger (a navigation); the body reads the location itself
  useEffect(() => {
    if (forbiddenAt && forbiddenAt !== window.location.pathname) setForbiddenAt(null);
  }, [path, forbiddenAt]);

  // After an in-app navigation, start reading (and tabbing) from the new page, as a page load would.
  const firstPath = useRef(path);
  useEffect(() => {
    if (path !== firstPath.current) document.getElementById('main')?.focus({ preventScroll: true });
  }, [path]);

  useShortcuts({ '?': () => setHelpOpen((o) => !o) }, session !== null && session !== 'loading');

  if (session === 'loading')
    return (
      <div className="boot" aria-busy="true">
        Loading…
      </div>
    );
  if (session === null) {
    return (
      <SignIn
        onSignedIn={(s) => {
          accept(s);
          if (path === '/signin' || path === '/') navigate('/queue', { replace: true });
        }}
      />
    );
  }

  const { user } = session;
  const canAudit = user.role === 'specialist' || user.role === 'admin';
  const isAdmin = user.role === 'admin';
  const signOut = async () => {
    await api.signOut().catch(() => {});
    accept(null);
    navigate('/signin', { replace: true });
  };

  let view: ReactNode;
  const caseMatch = /^\/cases\/([^/]+)$/.exec(path);
  if (forbiddenAt) view = <Forbidden />;
  else if (path === '/' || path === '/signin' || path === '/queue') view = <QueueView user={user} />;
  else if (caseMatch) view = <CaseView id={decodeURIComponent(caseMatch[1]!)} user={user} />;
  else if (path === '/audit') view = <AuditView initialCaseId={search.get('caseId') ?? ''} />;
  else if (path === '/statistics') view = <StatisticsView search={search} />;
  else if (path === '/admin/staff') view = <StaffView user={user} />;
  else view = <NotFound />;

  const section = path.startsWith('/audit')
    ? 'audit'
    : path.startsWith('/statistics')
      ? 'statistics'
      : path.startsWith('/admin')
        ? 'admin'
        : 'queue';
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <a className="brand" {...linkProps('/queue')}>
          <span className="brand-mark" aria-hidden="true" />
          Lifeguard <span className="brand-sub">moderator console</span>
        </a>
        <nav aria-label="Main">
          <a {...linkProps('/queue')} aria-current={section === 'queue' ? 'page' : undefined}>
            Queue
          </a>
          {canAudit && (
            <a {...linkProps('/audit')} aria-current={section === 'audit' ? 'page' : undefined}>
              Audit log
            </a>
          )}
          {canAudit && (
            <a {...linkProps('/statistics')} aria-current={section === 'statistics' ? 'page' : undefined}>
              Statistics
            </a>
          )}
          {isAdmin && (
            <a {...linkProps('/admin/staff')} aria-current={section === 'admin' ? 'page' : undefined}>
              Staff
            </a>
          )}
        </nav>
        <div className="topbar-user">
          <button type="button" className="linklike" onClick={() => setHelpOpen(true)} aria-label="Keyboard shortcuts">
            <kbd>?</kbd> Shortcuts
          </button>
          <span className="who" data-testid="signed-in-as">
            {user.name} <span className="role-tag">{user.role}</span>
          </span>
          <button type="button" className="btn btn-quiet" onClick={signOut}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {view}
      </main>
      {helpOpen && <ShortcutHelp onClose={() => setHelpOpen(false)} />}
    </>
  );
}
