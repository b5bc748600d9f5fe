// Reports and evidence in the console (/console/api, inside the session, CSRF and Origin checks of
// console/api.ts). Preparing, retrying and retracting reports and reading or exporting preserved
// evidence is for the specialist role alone (18 U.S.C. 2258A(h): as few staff as possible); admins
// may run verification, which shows findings, not content. Every read of evidence is audited.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { StaffUser } from '@lifeguard/storage';
import type { ServiceContext } from '../context.ts';
import { ConsoleError, caseNotFound, forbidden } from '../console/errors.ts';
import { staff } from '../console/session.ts';
import { DECLARATION_TEXT, INCIDENT_TYPES, REPORT_ANNOTATIONS } from './draft.ts';
import type { EvidenceExport } from './evidenceVault.ts';
import { Reporting } from './reporting.ts';
import { statisticsQuery, statisticsRange } from './apiRoutes.ts';
import { loadStatistics, statisticsCsv } from './statistics.ts';
import { DSA_DECLARATION_TEXT, EU_MEMBER_STATES } from './dsa/notification.ts';
import { HoldError, MAX_HOLD_AHEAD_DAYS, MAX_HOLD_STEP_DAYS } from './evidenceVault.ts';
import { named, type ZodTypeProvider } from '../http/zodRoutes.ts';

const idParams = z.strictObject({ id: z.string().min(1).max(200) });
const retractBody = z.strictObject({
  reason: z.string().trim().min(5, 'say in a few words why the report is withdrawn').max(1000),
});
const referenceBody = z.strictObject({
  reference: z
    .string()
    .trim()
    .min(3)
    .max(100)
    .regex(/^[A-Za-z0-9][A-Za-z0-9/_.-]*$/, 'letters, digits and / _ . - only'),
});

const holdParams = z.strictObject({ id: z.string().min(1).max(200), holdId: z.string().min(1).max(200) });
const holdBody = z.strictObject({
  reason: z.string().trim().min(10, 'say in a few words why the evidence must be kept longer').max(1000),
  days: z
    .number()
    .int('must be a whole number of days')
    .min(1)
    .max(MAX_HOLD_STEP_DAYS, `at most ${MAX_HOLD_STEP_DAYS} days at a time`),
});

/** Only specialists handle reports and evidence content. */
function specialist(request: FastifyRequest, what: string): StaffUser {
  const { user } = staff(request);
  if (user.role !== 'specialist') throw forbidden(`${what} (child-safety specialists only)`);
  return user;
}

const actorOf = (u: StaffUser) => ({ id: u.id, name: u.name, role: u.role });

export async function reportingConsoleRoutes(instance: FastifyInstance, opts: { ctx: ServiceContext }): Promise<void> {
  const app = instance.withTypeProvider<ZodTypeProvider>();
  const { ctx } = opts;
  const storage = ctx.storage;
  const reporting = ctx.reporting;

  async function caseOr404(tenantId: string, id: string) {
    const c = await storage.getCase(tenantId, id);
    if (!c) throw caseNotFound(id);
    return c;
  }

  app.get('/cases/:id/reports', { schema: { params: idParams, hide: true } }, async (request) => {
    const user = specialist(request, 'see reports to the authorities');
    const { id } = request.params;
    await caseOr404(user.tenantId, id);
    const [reports, holds, packages] = await Promise.all([
      storage.listAuthorityReports(user.tenantId, { caseId: id, limit: 100 }),
      storage.legalHolds(user.tenantId, id),
      storage.evidencePackages(user.tenantId, id),
    ]);
    return {
      reports: reports.map(Reporting.view),
      holds,
      packages: packages.map((p) => ({
        version: p.version,
        createdAt: p.createdAt,
        reason: p.reason,
        digest: p.digest,
        keyId: p.keyId,
        purged: p.package === null,
      })),
      form: { incidentTypes: INCIDENT_TYPES, annotations: REPORT_ANNOTATIONS, declaration: DECLARATION_TEXT },
      threatForm: {
        configured: reporting.config.dsa !== undefined,
        memberStates: EU_MEMBER_STATES,
        declaration: DSA_DECLARATION_TEXT,
      },
    };
  });

  // DSA Art. 18: a threat to a person's life or safety, to the police of the Member State(s) concerned.
  app.post('/cases/:id/threat-notifications', { schema: { params: idParams, hide: true } }, async (request, reply) => {
    const user = specialist(request, 'notify the police of a threat to life or safety');
    const { id } = request.params;
    await caseOr404(user.tenantId, id);
    const { reports, memberStatesConcerned } = await reporting.threats.notify(user.tenantId, id, request.body, user);
    return reply.status(201).send({ reports: reports.map(Reporting.view), memberStatesConcerned });
  });

  // Legal holds: a specialist may place one or extend one, with a reason, a bounded number of days, audited.
  app.post(
    '/cases/:id/holds',
    { schema: { params: idParams, body: named(holdBody, 'hold'), hide: true } },
    async (request, reply) => {
      const user = specialist(request, 'place a legal hold');
      const { id } = request.params;
      const body = request.body;
      await caseOr404(user.tenantId, id);
      return reply
        .status(201)
        .send({ hold: await reporting.vault.hold(user.tenantId, id, body.reason, actorOf(user), body.days) });
    },
  );

  app.post(
    '/cases/:id/holds/:holdId/extend',
    { schema: { params: holdParams, body: named(holdBody, 'hold extension'), hide: true } },
    async (request, reply) => {
      const user = specialist(request, 'extend a legal hold');
      const { id, holdId } = request.params;
      const body = request.body;
      await caseOr404(user.tenantId, id);
      try {
        const hold = await reporting.vault.extendHold(user.tenantId, id, holdId, body.days, body.reason, actorOf(user));
        return reply.status(201).send({ hold, maxAheadDays: MAX_HOLD_AHEAD_DAYS });
      } catch (err) {
        if (err instanceof HoldError)
          throw new ConsoleError(err.status, err.status === 404 ? 'not_found' : 'conflict', err.message);
        throw err;
      }
    },
  );

  app.post('/cases/:id/reports', { schema: { params: idParams, hide: true } }, async (request, reply) => {
    const user = specialist(request, 'report a case to the authorities');
    const { id } = request.params;
    await caseOr404(user.tenantId, id);
    const { reports, jurisdictions } = await reporting.prepare(user.tenantId, id, request.body, user);
    return reply.status(201).send({ reports: reports.map(Reporting.view), jurisdictions });
  });

  app.post('/reports/:id/retry', { schema: { params: idParams, hide: true } }, async (request) => {
    const user = specialist(request, 'retry a report');
    const { id } = request.params;
    return { report: Reporting.view(await reporting.retry(user.tenantId, id, user)) };
  });

  app.post(
    '/reports/:id/retract',
    { schema: { params: idParams, body: named(retractBody, 'retraction'), hide: true } },
    async (request) => {
      const user = specialist(request, 'retract a report');
      const { id } = request.params;
      const body = request.body;
      return { report: Reporting.view(await reporting.retract(user.tenantId, id, user, body.reason)) };
    },
  );

  app.post(
    '/reports/:id/reference',
    { schema: { params: idParams, body: named(referenceBody, 'reference'), hide: true } },
    async (request) => {
      const user = specialist(request, 'enter an NCA reference');
      const { id } = request.params;
      const body = request.body;
      return { report: Reporting.view(await reporting.enterReference(user.tenantId, id, body.reference, user)) };
    },
  );

  app.get('/cases/:id/evidence/export', { schema: { params: idParams, hide: true } }, async (request, reply) => {
    const user = specialist(request, 'export preserved evidence');
    const { id } = request.params;
    await caseOr404(user.tenantId, id);
    let out: EvidenceExport;
    try {
      out = await reporting.vault.exportCase(user.tenantId, id, actorOf(user));
    } catch (err) {
      throw new ConsoleError(404, 'not_found', (err as Error).message);
    }
    reply.header('content-disposition', `attachment; filename="evidence-${id}.json"`);
    return out;
  });

  app.get('/statistics', { schema: { querystring: statisticsQuery, hide: true } }, async (request) => {
    const { user } = staff(request);
    if (user.role !== 'specialist' && user.role !== 'admin') throw forbidden('see transparency statistics');
    const q = request.query;
    const { from, to } = statisticsRange(q);
    return loadStatistics(storage, user.tenantId, from, to, q.bucket);
  });

  // The statistics page's download: the same CSV as GET /v1/statistics.csv, inside the console session.
  app.get('/statistics.csv', { schema: { querystring: statisticsQuery, hide: true } }, async (request, reply) => {
    const { user } = staff(request);
    if (user.role !== 'specialist' && user.role !== 'admin') throw forbidden('see transparency statistics');
    const q = request.query;
    const { from, to } = statisticsRange(q);
    const stats = await loadStatistics(storage, user.tenantId, from, to, q.bucket);
    reply
      .type('text/csv; charset=utf-8')
      .header(
        'content-disposition',
        `attachment; filename="lifeguard-statistics-${stats.from.slice(0, 10)}-${stats.to.slice(0, 10)}.csv"`,
      );
    return statisticsCsv(stats);
  });

  app.post(
    '/evidence/verify',
    {
      schema: {
        body: named(z.strictObject({ caseId: z.string().min(1).max(200).optional() }).default({}), 'verify request'),
        hide: true,
      },
    },
    async (request) => {
      const { user } = staff(request);
      if (user.role !== 'specialist' && user.role !== 'admin') throw forbidden('verify preserved evidence');
      const body = request.body;
      const result = await reporting.vault.verify(user.tenantId, body.caseId);
      await storage.appendAudit(user.tenantId, {
        at: Date.now(),
        actor: actorOf(user),
        action: 'evidence.verify',
        caseId: body.caseId ?? null,
        targetId: null,
        details: { ok: result.ok, problems: result.problemCount },
      });
      return result;
    },
  );
}
