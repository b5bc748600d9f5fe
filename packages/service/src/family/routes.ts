// Family Centre API (/v1/family/...) and the safety-by-design decisions for child accounts
// (/v1/decisions/defaults, /group-invite, /location-share). Scope: decide.
import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import type { ServiceContext } from '../context.ts';
import { auth } from '../http/auth.ts';
import { ApiError } from '../http/errors.ts';
import { API_KEY_SECURITY, anyObject, errorSchema } from '../http/schemas.ts';
import {
  defaultsBody,
  endBody,
  groupInviteBody,
  linkBody,
  linkParams,
  linksQuery,
  locationShareBody,
  namesBody,
  pageTokenBody,
  reportBody,
  settingsBody,
  teenBody,
  userParams,
  viewQuery,
} from './schemas.ts';
import { named, type ZodTypeProvider } from '../http/zodRoutes.ts';

export async function familyRoutes(instance: FastifyInstance, opts: { ctx: ServiceContext }): Promise<void> {
  const app = instance.withTypeProvider<ZodTypeProvider>();
  const { ctx } = opts;
  const family = ctx.family;
  const err = errorSchema;
  // What each Family Centre answer holds is described in docs/family.md; the document promises an object.
  const ok = anyObject;
  const errors = { 200: ok, 201: ok, 202: ok, 400: err, 401: err, 403: err, 404: err, 409: err };
  const doc = <E extends object = object>(summary: string, description: string, extra: E = {} as E) => ({
    config: { scope: 'decide' as const },
    schema: { summary, description, tags: ['family'], security: API_KEY_SECURITY, response: errors, ...extra },
  });

  app.post(
    '/family/links',
    doc(
      'Invite a teen to link with a parent or carer',
      'Both accounts must be known (account events) on this platform, the parent an adult and the teen a child account. The teen must accept, except ' +
        'basis "platform_age_rule" for children under the profile\'s platformLinksUnder age. Answers with what the teen is told (in the teen\'s language). ' +
        'A webhook "family.notification" (kind invited) tells the teen.',
      { body: named(linkBody, 'family link request') },
    ),
    async (request, reply) => {
      const body = request.body;
      const result = await family.invite(auth(request).tenantId, body, Date.now());
      reply.status(201);
      return result;
    },
  );

  app.get(
    '/family/links',
    doc('Links of an account (as parent or teen)', 'Newest first, every status.', {
      querystring: linksQuery,
    }),
    async (request) => {
      const q = request.query;
      return { links: await ctx.storage.listFamilyLinks(auth(request).tenantId, q.userId) };
    },
  );

  app.get(
    '/family/links/:id',
    doc('One link', 'Either side can see the link.', { params: linkParams }),
    async (request) => {
      const { id } = request.params;
      return family.link(auth(request).tenantId, id);
    },
  );

  app.post(
    '/family/links/:id/accept',
    doc('The teen accepts', 'Only the invited teen; only a pending link. The parent is told.', {
      params: linkParams,
      body: named(teenBody, 'accept request'),
    }),
    async (request) => {
      const { id } = request.params;
      const body = request.body;
      return family.respond(auth(request).tenantId, id, body.teenId, true, Date.now());
    },
  );

  app.post(
    '/family/links/:id/decline',
    doc('The teen declines', 'Only the invited teen; only a pending link. The parent is told.', {
      params: linkParams,
      body: named(teenBody, 'decline request'),
    }),
    async (request) => {
      const { id } = request.params;
      const body = request.body;
      return family.respond(auth(request).tenantId, id, body.teenId, false, Date.now());
    },
  );

  app.post(
    '/family/links/:id/end',
    doc(
      'End a link',
      "The parent can always end it; the teen alone from the profile's teenMayEndAloneFrom age (16 by default). The other side is told.",
      { params: linkParams, body: named(endBody, 'end request') },
    ),
    async (request) => {
      const { id } = request.params;
      const body = request.body;
      return family.end(auth(request).tenantId, id, body.userId, Date.now());
    },
  );

  app.get(
    '/family/links/:id/view',
    doc(
      'The Family Centre view (parent or teen)',
      'Computed from metadata only: connections, who the teen exchanged messages with in the last 7 days (ids, counts, times), new connections, safety settings, ' +
        'kinds of safety warnings shown. Never message text or media. `data` is identical for the parent and the teen. Every view is written to the audit log.',
      { params: linkParams, querystring: viewQuery },
    ),
    async (request) => {
      const { id } = request.params;
      const q = request.query;
      return family.view(auth(request).tenantId, id, q.viewerId, Date.now(), { names: q.names });
    },
  );

  app.post(
    '/family/links/:id/report',
    doc(
      "Report an account to the platform's moderators",
      'From the parent or the teen of an active link: a "family.report" webhook and an audit entry.',
      { params: linkParams, body: named(reportBody, 'report') },
    ),
    async (request, reply) => {
      const { id } = request.params;
      const body = request.body;
      await family.report(auth(request).tenantId, id, body.reporterId, body.accountId, Date.now());
      reply.status(202);
      return { reported: true };
    },
  );

  app.post(
    '/family/links/:id/page',
    doc(
      'A signed URL for the embeddable Family Centre page',
      'For the parent or the teen of the link; the URL works until it expires (ttlSeconds, default 900) and carries the theme.',
      { params: linkParams, body: named(pageTokenBody, 'page request') },
    ),
    async (request) => {
      const { id } = request.params;
      const body = request.body;
      const { tenantId } = auth(request);
      const link = await family.link(tenantId, id);
      if (body.viewerId !== link.parentId && body.viewerId !== link.teenId)
        throw new ApiError(403, 'forbidden', `account ${body.viewerId} is not part of link ${link.id}`);
      const expiresAt = Date.now() + body.ttlSeconds * 1000;
      const token = await ctx.pageTokens.sign({
        tenantId,
        linkId: id,
        viewerId: body.viewerId,
        theme: body.theme ?? {},
        exp: expiresAt,
      });
      return { url: `/family/page?token=${token}`, token, expiresAt };
    },
  );

  app.put(
    '/family/settings/:userId',
    doc(
      "Report an account's safety settings",
      'true means the protective default is on. A change is sent to the parents of active links (family.notification, kind settings_changed).',
      { params: userParams, body: named(settingsBody, 'settings') },
    ),
    async (request) => {
      const { userId } = request.params;
      const body = request.body;
      return family.putSettings(auth(request).tenantId, userId, body.settings, Date.now());
    },
  );

  app.put(
    '/family/names',
    doc(
      'Report display names',
      'The names the platform shows for its accounts, so the Family Centre view (`data.names`) and page say who, not only which id. ' +
        'Up to 1000 per request; a null name removes one. Names are kept until removed.',
      { body: named(namesBody, 'names') },
    ),
    async (request) => {
      const body = request.body;
      return family.putNames(auth(request).tenantId, body.names, Date.now());
    },
  );

  // Safety by design for child accounts -------------------------------------------------------------
  const decision = <B extends z.ZodType>(summary: string, description: string, body: B) => ({
    config: { scope: 'decide' as const },
    schema: {
      summary,
      description,
      tags: ['decisions'],
      security: API_KEY_SECURITY,
      body,
      response: { 200: ok, 400: err, 401: err, 403: err },
    },
  });

  app.post(
    '/decisions/defaults',
    decision(
      'The safety defaults for a new or changed account',
      'For a child account: profile private, not discoverable by or suggested to unconnected adults, connection list hidden, precise location off and not offered to strangers, ' +
        "direct messages from strangers off; each with its reason (in the account's language) and the rule's source for the jurisdiction (policy file). age, ageBand and country override stored ones.",
      named(defaultsBody, 'defaults request'),
    ),
    async (request) => {
      const body = request.body;
      return ctx.decider.defaults(auth(request).tenantId, body);
    },
  );

  app.post(
    '/decisions/group-invite',
    decision(
      'May this account add a child to a group?',
      "Never an unconnected adult (or an account of unknown age); otherwise only with the child's consent (hold: send an invitation the child can accept).",
      named(groupInviteBody, 'group invite request'),
    ),
    async (request) => {
      const body = request.body;
      return ctx.decider.groupInvite(auth(request).tenantId, body);
    },
  );

  app.post(
    '/decisions/location-share',
    decision(
      "With which of these accounts may a child's location be shared?",
      "Only connections. The refused ones are listed, and a nudge tells the child why, in the child's language.",
      named(locationShareBody, 'location share request'),
    ),
    async (request) => {
      const body = request.body;
      return ctx.decider.locationShare(auth(request).tenantId, body);
    },
  );
}
