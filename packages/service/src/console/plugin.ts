// The moderator console: the built web UI under /console/ and its JSON API under /console/api.
// Every console response carries a strict Content-Security-Policy (no inline script, no framing).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import type { ServiceContext } from '../context.ts';
import { consoleApi } from './api.ts';

export const CONSOLE_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob: https:; media-src 'self' blob: https:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/** packages/console/dist, where `npm run build -w @lifeguard/console` puts the UI. */
export const DEFAULT_CONSOLE_DIR = fileURLToPath(new URL('../../../console/dist', import.meta.url));

export async function consolePlugin(app: FastifyInstance, opts: { ctx: ServiceContext; dir: string }): Promise<void> {
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('content-security-policy', CONSOLE_CSP);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('x-frame-options', 'DENY');
    return payload;
  });

  await app.register(consoleApi, { prefix: '/api', ctx: opts.ctx });

  const dir = opts.dir;
  const built = () => existsSync(join(dir, 'index.html'));
  if (existsSync(dir)) {
    // index: false and no wildcard index: unknown paths fall to the handler below, which serves the app.
    await app.register(fastifyStatic, { root: dir, prefix: '/', index: false, decorateReply: true, serve: true });
  }
  const sendApp = async (request: import('fastify').FastifyRequest, reply: import('fastify').FastifyReply) => {
    if (request.url.startsWith('/console/api/') || request.url === '/console/api') {
      return reply
        .status(404)
        .send({ error: `no route ${request.method} ${request.url.split('?')[0]}`, code: 'not_found' });
    }
    if (!built()) {
      return reply
        .status(503)
        .type('text/plain; charset=utf-8')
        .send('The console UI is not built. Run `npm run build -w @lifeguard/console` and restart the service.\n');
    }
    if (request.method !== 'GET' && request.method !== 'HEAD')
      return reply.status(404).send({ error: 'not found', code: 'not_found' });
    // Single-page app routes (/console/queue, /console/cases/:id, ...) all load index.html.
    return reply.header('cache-control', 'no-cache').sendFile('index.html', dir);
  };
  app.get('/', { schema: { hide: true } }, sendApp);
  app.setNotFoundHandler(sendApp);
}
