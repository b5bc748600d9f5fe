// Serves the embeddable Family Centre page under /family/: GET page?token=..., and the page's two
// forms (report an account, end the link). A signed page token stands in for the API key; the page
// has no script, a strict Content-Security-Policy, and may be framed by the platform's app.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ServiceContext } from '../context.ts';
import { ApiError } from '../http/errors.ts';
import { chooseLocale, type Translate } from '../i18n/catalogue.ts';
import { document, renderPage } from './page.ts';
import type { PageClaims } from './tokens.ts';

const csp = (nonce: string) =>
  `default-src 'none'; style-src 'nonce-${nonce}'; img-src 'self'; form-action 'self'; base-uri 'none'`;

export async function familyPagePlugin(app: FastifyInstance, opts: { ctx: ServiceContext }): Promise<void> {
  const { ctx } = opts;
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 16_384 },
    (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(String(body))));
    },
  );

  const send = (reply: FastifyReply, status: number, nonce: string, html: string) =>
    reply
      .status(status)
      .header('content-security-policy', csp(nonce))
      .header('cache-control', 'no-store')
      .header('referrer-policy', 'no-referrer')
      .type('text/html; charset=utf-8')
      .send(html);

  /** Errors as a small page in the viewer's language where known (English otherwise), never a stack. */
  const fail = async (reply: FastifyReply, err: unknown, claims: PageClaims | null) => {
    const nonce = randomBytes(12).toString('base64url');
    const status = err instanceof ApiError ? err.statusCode : 500;
    const message = err instanceof ApiError ? err.message : 'internal error';
    if (!(err instanceof ApiError)) app.log.error({ err }, 'family page failed');
    let t: Translate = ctx.decider.messages.translator('*', 'en-GB');
    let lang = 'en-GB';
    if (claims) {
      const account = await ctx.storage.getAccount(claims.tenantId, claims.viewerId).catch(() => null);
      const locale = chooseLocale(account?.locale, account?.country);
      t = ctx.decider.messages.translator(claims.tenantId, locale.used);
      lang = locale.used;
    }
    return send(
      reply,
      status,
      nonce,
      document(
        t('family.title'),
        lang,
        nonce,
        claims?.theme ?? {},
        `<main><h1>${escapeHtml(t('family.title'))}</h1><p role="alert" data-error>${escapeHtml(message)}</p></main>`,
      ),
    );
  };

  const page = async (reply: FastifyReply, claims: PageClaims, token: string, notice?: string) => {
    const view = await ctx.family.view(claims.tenantId, claims.linkId, claims.viewerId, Date.now(), {
      names: true,
    });
    const t = ctx.decider.messages.translator(claims.tenantId, view.locale.used);
    const link = await ctx.family.link(claims.tenantId, claims.linkId);
    const nonce = randomBytes(12).toString('base64url');
    const canEnd = await ctx.family.mayEnd(claims.tenantId, link, view.viewer.role);
    return send(
      reply,
      200,
      nonce,
      renderPage({ view, t, token, theme: claims.theme, nonce, canEnd, notice: notice ? t(notice) : undefined }),
    );
  };

  app.get('/page', { schema: { hide: true } }, async (request, reply) => {
    const q = request.query as { token?: unknown; notice?: unknown };
    let claims: PageClaims | null = null;
    try {
      claims = await ctx.pageTokens.verify(q.token, Date.now());
      return await page(reply, claims, String(q.token), q.notice === 'reported' ? 'family.reported' : undefined);
    } catch (err) {
      return fail(reply, err, claims);
    }
  });

  app.post('/report', { schema: { hide: true } }, async (request, reply) => {
    const body = (request.body ?? {}) as { token?: unknown; accountId?: unknown };
    let claims: PageClaims | null = null;
    try {
      claims = await ctx.pageTokens.verify(body.token, Date.now());
      if (typeof body.accountId !== 'string' || body.accountId.length === 0 || body.accountId.length > 256)
        throw new ApiError(400, 'invalid_request', 'accountId: must name the account to report');
      await ctx.family.report(claims.tenantId, claims.linkId, claims.viewerId, body.accountId, Date.now());
      return reply.redirect(`page?token=${encodeURIComponent(String(body.token))}&notice=reported`, 303);
    } catch (err) {
      return fail(reply, err, claims);
    }
  });

  app.post('/end', { schema: { hide: true } }, async (request, reply) => {
    const body = (request.body ?? {}) as { token?: unknown };
    let claims: PageClaims | null = null;
    try {
      claims = await ctx.pageTokens.verify(body.token, Date.now());
      await ctx.family.end(claims.tenantId, claims.linkId, claims.viewerId, Date.now());
      const account = await ctx.storage.getAccount(claims.tenantId, claims.viewerId);
      const locale = chooseLocale(account?.locale, account?.country);
      const t = ctx.decider.messages.translator(claims.tenantId, locale.used);
      const nonce = randomBytes(12).toString('base64url');
      return send(
        reply,
        200,
        nonce,
        document(
          t('family.title'),
          locale.used,
          nonce,
          claims.theme,
          `<main><h1>${escapeHtml(t('family.title'))}</h1><p role="status" data-ended>${escapeHtml(t('family.ended'))}</p></main>`,
        ),
      );
    } catch (err) {
      return fail(reply, err, claims);
    }
  });
}

function escapeHtml(v: string): string {
  return v.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
