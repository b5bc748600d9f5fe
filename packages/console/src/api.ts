// The console's one way to talk to the server: same-origin JSON under /console/api, the session cookie
// sent by the browser, and the session's CSRF token on every call that changes something.
import type { AuditEntry, CaseDetail, QueueItem, QueuePage, QueueView, Session, StaffMember } from './types.ts';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly problems: string[] = [],
    readonly body: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

let csrfToken: string | null = null;
const listeners = new Set<(err: ApiError) => void>();

/** Called with every 401 (session gone) and 403 forbidden answer, so the app can show sign-in or "forbidden". */
export function onAuthProblem(listener: (err: ApiError) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

const BASE = '/console/api';

async function call<T>(method: string, path: string, body?: unknown, opts: { quietAuth?: boolean } = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  const res = await fetch(`${BASE}${path}`, {
    method,
    headers,
    credentials: 'same-origin',
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  if (!res.ok) {
    const b = (parsed && typeof parsed === 'object' ? parsed : {}) as Record<string, unknown>;
    const err = new ApiError(
      res.status,
      typeof b.code === 'string' ? b.code : `http_${res.status}`,
      typeof b.error === 'string'
        ? b.error
        : `The server answered ${res.status}${text && !parsed ? `: ${text.slice(0, 200)}` : ''}`,
      Array.isArray(b.problems) ? b.problems.map(String) : [],
      b,
    );
    const sessionGone = res.status === 401;
    const forbidden = res.status === 403 && err.code === 'forbidden';
    if (!opts.quietAuth && (sessionGone || forbidden)) for (const l of listeners) l(err);
    throw err;
  }
  return parsed as T;
}

const q = (params: Record<string, string | number | undefined | null>) => {
  const s = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') s.set(k, String(v));
  const str = s.toString();
  return str ? `?${str}` : '';
};

export const api = {
  session: () => call<Session>('GET', '/session', undefined, { quietAuth: true }),
  /** `tenant`: needed when the service hosts several tenants (it then answers `tenant_required`). */
  signIn: (email: string, password: string, tenant?: string) =>
    call<Session>('POST', '/session', { ...(tenant ? { tenant } : {}), email, password }, { quietAuth: true }),
  signOut: () => call<void>('DELETE', '/session', undefined, { quietAuth: true }),

  queue: (view: QueueView, cursor?: string | null) => call<QueuePage>('GET', `/queue${q({ view, limit: 50, cursor })}`),
  next: () => call<{ case: QueueItem } | undefined>('POST', '/queue/next'),
  claim: (id: string) => call<QueueItem>('POST', `/cases/${encodeURIComponent(id)}/claim`),
  release: (id: string) => call<void>('DELETE', `/cases/${encodeURIComponent(id)}/claim`),

  caseDetail: (id: string) => call<CaseDetail>('GET', `/cases/${encodeURIComponent(id)}`),
  reveal: (id: string, mediaId: string) =>
    call<{ ref: string | null; kind: string }>(
      'POST',
      `/cases/${encodeURIComponent(id)}/media/${encodeURIComponent(mediaId)}/reveal`,
    ),
  note: (id: string, note: string) => call<unknown>('POST', `/cases/${encodeURIComponent(id)}/notes`, { note }),
  decide: (
    id: string,
    body: { action: string; reason: string; note: string; durationHours?: number; expectedVersion: number },
  ) => call<{ case: QueueItem; audit: AuditEntry }>('POST', `/cases/${encodeURIComponent(id)}/decisions`, body),

  audit: (filters: { caseId?: string; actorId?: string; action?: string; cursor?: string | null }) =>
    call<{ entries: AuditEntry[]; nextCursor: string | null }>('GET', `/audit${q({ ...filters, limit: 100 })}`),

  // Reports and evidence (specialists): plain paths under /console/api.
  get: <T>(path: string) => call<T>('GET', path),
  send: <T>(method: string, path: string, body?: unknown) => call<T>(method, path, body),

  staff: () => call<{ staff: StaffMember[] } | StaffMember[]>('GET', '/staff'),
  createStaff: (body: { email: string; name: string; role: string; password: string }) =>
    call<StaffMember>('POST', '/staff', body),
  updateStaff: (id: string, body: { role?: string; disabled?: boolean }) =>
    call<StaffMember>('PATCH', `/staff/${encodeURIComponent(id)}`, body),
};
