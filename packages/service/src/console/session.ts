// Staff sessions: an opaque random cookie (only its SHA-256 is stored), a CSRF token per session sent
// back in a header on every state-changing request, and an Origin check. Idle sessions end after 30
// minutes, every session after 12 hours; signing out or disabling the user ends it server-side at once.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { StaffRole, StaffSessionRecord, StaffUser, Storage } from '@lifeguard/storage';
import { ConsoleError, forbidden, unauthenticated } from './errors.ts';
import type { StaffUser as WireStaffUser } from './wire.ts';

export const SESSION_COOKIE = 'lg_session';
export const IDLE_MS = 30 * 60_000;
export const ABSOLUTE_MS = 12 * 3_600_000;
/** last_seen_at is written at most this often per session. */
const TOUCH_EVERY_MS = 60_000;

export interface StaffContext {
  user: StaffUser;
  session: StaffSessionRecord;
}

declare module 'fastify' {
  interface FastifyRequest {
    staff: StaffContext | null;
  }
}

export const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
export const newToken = (bytes = 32) => randomBytes(bytes).toString('base64url');

export function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim() || null;
  }
  return null;
}

/** https directly, or behind a TLS-terminating proxy that says so (a false claim only makes the cookie stricter). */
function secure(request: FastifyRequest): boolean {
  return (
    request.protocol === 'https' ||
    String(request.headers['x-forwarded-proto'] ?? '')
      .split(',')[0]
      ?.trim() === 'https'
  );
}

export function setSessionCookie(request: FastifyRequest, reply: FastifyReply, token: string): void {
  reply.header(
    'set-cookie',
    `${SESSION_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${ABSOLUTE_MS / 1000}${secure(request) ? '; Secure' : ''}`,
  );
}

export function clearSessionCookie(request: FastifyRequest, reply: FastifyReply): void {
  reply.header(
    'set-cookie',
    `${SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0${secure(request) ? '; Secure' : ''}`,
  );
}

/** The signed-in staff user of this request, or null. Ends sessions past their idle or absolute limit. */
export async function loadSession(
  storage: Storage,
  request: FastifyRequest,
  now = Date.now(),
): Promise<StaffContext | null> {
  const token = readCookie(request.headers.cookie, SESSION_COOKIE);
  if (!token || token.length > 200) return null;
  const tokenHash = sha256(token);
  const found = await storage.findStaffSession(tokenHash);
  if (!found) return null;
  const { session, user } = found;
  if (user.disabled || now >= session.expiresAt || now - session.lastSeenAt >= IDLE_MS) {
    await storage.deleteStaffSession(tokenHash);
    return null;
  }
  if (now - session.lastSeenAt >= TOUCH_EVERY_MS) await storage.touchStaffSession(tokenHash, now);
  return { user, session };
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** State-changing requests must come from this server's own pages (Origin, when the browser sends one). */
export function checkOrigin(request: FastifyRequest): void {
  if (SAFE_METHODS.has(request.method)) return;
  const origin = request.headers.origin;
  if (origin === undefined) return;
  // The host is compared, not the scheme: behind a TLS-terminating proxy the service itself sees http.
  let host: string | null = null;
  try {
    host = new URL(origin).host;
  } catch {
    host = null;
  }
  if (host !== request.host)
    throw new ConsoleError(
      403,
      'csrf',
      `requests from ${JSON.stringify(origin)} are not accepted; use the console at ${request.host}/console/`,
    );
}

export function checkCsrf(request: FastifyRequest, session: StaffSessionRecord): void {
  if (SAFE_METHODS.has(request.method)) return;
  const sent = request.headers['x-csrf-token'];
  const a = Buffer.from(typeof sent === 'string' ? sent : '');
  const b = Buffer.from(session.csrfToken);
  if (a.length !== b.length || !timingSafeEqual(a, b))
    throw new ConsoleError(403, 'csrf', 'missing or wrong x-csrf-token header; reload the console');
}

export function staff(request: FastifyRequest): StaffContext {
  if (!request.staff) throw unauthenticated();
  return request.staff;
}

const RANK: Record<StaffRole, number> = { moderator: 1, specialist: 2, admin: 3 };

export function atLeast(role: StaffRole, needed: StaffRole): boolean {
  return RANK[role] >= RANK[needed];
}

export function requireRole(request: FastifyRequest, needed: StaffRole, what: string): StaffContext {
  const s = staff(request);
  if (!atLeast(s.user.role, needed)) throw forbidden(what);
  return s;
}

export function publicUser(u: StaffUser): WireStaffUser {
  return { id: u.id, email: u.email, name: u.name, role: u.role, tenantId: u.tenantId };
}
