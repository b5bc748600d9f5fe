// The console's JSON API under /console/api: cookie sessions, not API keys. Every route checks the
// session, the CSRF token on state-changing requests and the role, here on the server; the UI only
// hides what a role cannot do. Another tenant's case ids answer 404, as unknown ids do. The routes
// live in one file per area, registered inside this plugin so that its checks apply to all of them.
import type { FastifyInstance } from 'fastify';
import type { ServiceContext } from '../context.ts';
import { unauthenticated } from './errors.ts';
import { checkCsrf, checkOrigin, loadSession } from './session.ts';
import { QueueCounts } from './queueCounts.ts';
import { sessionRoutes } from './sessionRoutes.ts';
import { queueRoutes } from './queueRoutes.ts';
import { caseRoutes } from './caseRoutes.ts';
import { auditRoutes } from './auditRoutes.ts';
import { staffRoutes } from './staffRoutes.ts';
import { isClosed } from './decisions.ts';
import { reportingConsoleRoutes } from '../reporting/consoleRoutes.ts'; // reports and evidence

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Console routes that answer without a session (sign-in, session check). */
    consolePublic?: boolean;
  }
}

export { ACCOUNT_LOCK, LOCK, SIGNIN_FAILURE_FLOOR_MS } from './sessionRoutes.ts';
export { createStaff, staffCreateBody } from './staffRoutes.ts';

export async function consoleApi(app: FastifyInstance, opts: { ctx: ServiceContext }): Promise<void> {
  const { ctx } = opts;
  const counts = new QueueCounts(ctx.storage);
  app.addHook('onResponse', async (request) => {
    if (request.method !== 'GET' && request.staff) counts.forget(request.staff.user.tenantId);
  });

  app.decorateRequest('staff', null);
  app.addHook('onRequest', async (request, reply) => {
    reply.header('cache-control', 'no-store');
    checkOrigin(request);
    if (request.routeOptions.config?.consolePublic) return;
    const s = await loadSession(ctx.storage, request);
    if (!s) throw unauthenticated();
    request.staff = s;
    checkCsrf(request, s.session);
  });

  await app.register(sessionRoutes, { ctx });
  await app.register(queueRoutes, { ctx, counts });
  await app.register(caseRoutes, { ctx });
  await app.register(auditRoutes, { ctx });
  await app.register(staffRoutes, { ctx });
  // Reports and evidence: inside this plugin, so the session, CSRF and Origin checks above apply.
  await app.register(reportingConsoleRoutes, { ctx });
}

export { isClosed };
