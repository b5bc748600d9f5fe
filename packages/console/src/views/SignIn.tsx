import { useState, type FormEvent } from 'react';
import { api, ApiError } from '../api.ts';
import type { Session } from '../types.ts';

const TENANT_KEY = 'lifeguard.console.tenant';

/** The tenant from `?tenant=` (a link an admin hands out) or the one last signed in to on this browser. */
function initialTenant(): string {
  const fromLink = new URLSearchParams(window.location.search).get('tenant');
  if (fromLink) return fromLink;
  try {
    return window.localStorage.getItem(TENANT_KEY) ?? '';
  } catch {
    return '';
  }
}

export function SignIn({ onSignedIn }: { onSignedIn(s: Session): void }) {
  const [tenant, setTenant] = useState(initialTenant);
  // Shown once the service says it hosts several tenants, or when one is already known.
  const [askTenant, setAskTenant] = useState(() => tenant !== '');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const session = await api.signIn(email.trim(), password, askTenant ? tenant.trim() : undefined);
      try {
        if (askTenant) window.localStorage.setItem(TENANT_KEY, session.user.tenantId);
      } catch {
        // storage refused (private mode): the tenant is simply asked for again next time
      }
      onSignedIn(session);
    } catch (err) {
      const code = err instanceof ApiError ? err.code : '';
      if (code === 'tenant_required') setAskTenant(true);
      setError(
        code === 'tenant_required'
          ? 'This service hosts several organisations: enter your tenant id (your admin can tell you).'
          : code === 'invalid_credentials'
            ? 'That email and password do not match a staff account.'
            : code === 'locked'
              ? 'Too many failed attempts: this account is locked for a while. Ask an admin if you need in now.'
              : err instanceof Error
                ? err.message
                : String(err),
      );
      setBusy(false);
    }
  };

  return (
    <main className="signin" id="main">
      <form className="signin-card" onSubmit={submit} aria-labelledby="signin-title" noValidate>
        <div className="brand brand-large">
          <span className="brand-mark" aria-hidden="true" />
          Lifeguard
        </div>
        <h1 id="signin-title">Sign in to the moderator console</h1>
        {askTenant && (
          <>
            <label htmlFor="signin-tenant">Tenant id</label>
            <input
              id="signin-tenant"
              name="tenant"
              autoComplete="organization"
              required
              value={tenant}
              onChange={(e) => setTenant(e.target.value)}
            />
          </>
        )}
        <label htmlFor="signin-email">Work email</label>
        <input
          id="signin-email"
          name="email"
          type="email"
          autoComplete="username"
          required
          // biome-ignore lint/a11y/noAutofocus: the sign-in page has one task; typing starts in its first field
          autoFocus
          value={email}
          onChange={(e) => setEmail(e.target.value)}
        />
        <label htmlFor="signin-password">Password</label>
        <input
          id="signin-password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        <button
          type="submit"
          className="btn btn-primary"
          disabled={busy || !email || !password || (askTenant && !tenant.trim())}
        >
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <p className="muted small">Sessions end after 30 minutes idle. Everything you open here is logged.</p>
      </form>
    </main>
  );
}
