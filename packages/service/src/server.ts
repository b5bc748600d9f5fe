// buildServer(config): the whole HTTP service as a Fastify instance (tests use app.inject; `serve`
// calls listen). Plugins per concern, all under /v1 behind API-key auth; /docs and /healthz are public
// and hold no data.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { Storage } from '@lifeguard/storage';
import { EngineHost, type EngineHostOptions, type OutsideRisk } from './engine/engineHost.ts';
import type { ServiceModels } from './engine/models.ts';
import { IngestPipeline, type IngestOptions } from './ingest/pipeline.ts';
import { CaseManager } from './cases/caseManager.ts';
import { Decider } from './decisions/decider.ts';
import { WebhookWorker, type WebhookWorkerOptions } from './webhooks/worker.ts';
import { DEFAULT_POLICY, type Policy } from './policy/policy.ts';
import { installAuth, KeyCache } from './http/auth.ts';
import {
  clientErrorHandler,
  frameworkErrors,
  installErrorHandler,
  installJsonParser,
  MAX_PARAM_LENGTH,
} from './http/errors.ts';
import { jsonSerializerCompiler, zodToOpenApi, zodValidatorCompiler } from './http/zodRoutes.ts';
import { DEFAULT_RETENTION, RetentionJob, type RetentionOptions } from './retention.ts';
import type { ServiceContext } from './context.ts';
import { ingestRoutes } from './routes/ingest.ts';
import { NatsBridge, type NatsBridgeOptions } from './nats/bridge.ts';
import { decisionRoutes } from './routes/decisions.ts';
import { caseRoutes } from './routes/cases.ts';
import { adminRoutes } from './routes/admin.ts';
import { mediaRoutes } from './routes/media.ts';
import type { MediaOptions } from './media/mediaMatcher.ts';
import { consolePlugin, DEFAULT_CONSOLE_DIR } from './console/plugin.ts'; // moderator console
import { appealRoutes } from './console/appeals.ts'; // moderator console
import { BanEvasion } from './banEvasion/banEvasion.ts';
import { banEvasionRoutes } from './banEvasion/routes.ts';
import { FamilyCentre } from './family/familyCentre.ts';
import { PageTokens } from './family/tokens.ts';
import { familyRoutes } from './family/routes.ts';
import { familyPagePlugin } from './family/pagePlugin.ts';
import { Messages } from './i18n/catalogue.ts';
import { Reporting } from './reporting/reporting.ts'; // reports and evidence
import type { ReportingConfig } from './reporting/config.ts';
import { reportingApiRoutes } from './reporting/apiRoutes.ts';

export const API_VERSION = '1.0.0';

export interface ServiceConfig {
  storage: Storage;
  /** Partitioned detection (serve --role api): an account's risk from the replicated read model. */
  outsideRisk?: OutsideRisk;
  /** Validated policy (loadPolicyFile); DEFAULT_POLICY when omitted. */
  policy?: Policy;
  logger?: FastifyServerOptions['logger'];
  /** Largest request body accepted (default 5 MiB); larger ones get 413. */
  bodyLimitBytes?: number;
  /** Most events in one ingestion request (default 1000). */
  maxBatchEvents?: number;
  /** Events dated more than this in the future are rejected (default 24 h). */
  maxFutureSkewMs?: number;
  engine?: EngineHostOptions;
  /** Risk models (validated): a default and per-tenant ones; the built-in model when absent. */
  models?: ServiceModels;
  ingest?: IngestOptions;
  /** Webhook worker options; false disables sending (deliveries still queue). */
  webhooks?: WebhookWorkerOptions | false;
  retention?: RetentionOptions;
  /** Serve the OpenAPI UI at /docs (default true). */
  docs?: boolean;
  /** Also ingest from NATS JetStream (tenants: those listed, or every tenant in the store when empty). */
  nats?: Omit<NatsBridgeOptions, 'tenants'> & { tenants?: string[] };
  /** Known-image matching: upload limits and the image decoders' concurrency. */
  media?: MediaOptions;
  /** Moderator console (console-server): the web UI under /console/ (built files in `dir`) and its API; false turns both off. */
  console?: { dir?: string } | false;
  /** Reports to NCMEC and the NCA, evidence preservation (docs/reporting.md). */
  reporting?: ReportingConfig;
}

declare module 'fastify' {
  interface FastifyInstance {
    lifeguard: ServiceContext;
  }
}

export async function buildServer(config: ServiceConfig): Promise<FastifyInstance> {
  const bodyLimit = config.bodyLimitBytes ?? 5 * 1024 * 1024;
  const app = Fastify({
    logger: config.logger ?? false,
    bodyLimit,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    frameworkErrors,
    clientErrorHandler,
  });
  installJsonParser(app, bodyLimit);
  // Route schemas are zod: they validate each request part once, before the handler, with the same
  // problem lines as the CLI, and they generate the OpenAPI document (zodRoutes.ts).
  app.setValidatorCompiler(zodValidatorCompiler);
  app.setSerializerCompiler(jsonSerializerCompiler);
  installErrorHandler(app);

  const log = app.log;
  const storage = config.storage;
  const policy = config.policy ?? DEFAULT_POLICY;
  const engines = new EngineHost(
    storage,
    { ...config.engine, ...(config.models ? { models: config.models } : {}) },
    log,
  );
  if (config.outsideRisk) engines.setOutsideRisk(config.outsideRisk);
  const cases = new CaseManager(storage, log, { modelIdFor: (tenantId) => engines.modelIdFor(tenantId) });
  engines.setAlertSink(cases);
  const webhooks = new WebhookWorker(storage, config.webhooks || {}, log);
  const messages = new Messages(policy.messages);
  const family = new FamilyCentre(storage, policy, messages, log);
  const ctx: ServiceContext = {
    storage,
    engines,
    pipeline: new IngestPipeline(storage, engines, config.ingest ?? {}, log),
    cases,
    decider: new Decider(storage, engines, policy, messages),
    webhooks,
    retention: new RetentionJob(storage, engines, config.retention ?? DEFAULT_RETENTION, log),
    policy,
    keyCache: new KeyCache(storage),
    banEvasion: new BanEvasion(storage, policy.banEvasion),
    family,
    pageTokens: new PageTokens(storage),
    reporting: new Reporting(
      storage,
      config.reporting ?? {},
      {
        software: `lifeguard ${API_VERSION}`,
        ...(config.engine?.engine?.model ? { model: config.engine.engine.model } : {}),
      },
      log,
    ),
    limits: {
      maxBatchEvents: config.maxBatchEvents ?? 1000,
      maxFutureSkewMs: config.maxFutureSkewMs ?? 24 * 3_600_000,
    },
  };
  app.decorate('lifeguard', ctx);
  // Evidence is frozen the moment a case opens.
  cases.onOpened((tenantId, c) => ctx.reporting.caseOpened(tenantId, c));
  // Family Centre hears of new connections and new cases; a failure there never fails ingestion.
  ctx.pipeline.onAccepted = (tenantId, events) =>
    family
      .onAccepted(tenantId, events)
      .catch((err) => log.error({ err, tenantId }, 'family centre connection check failed'));
  cases.onOpened((tenantId, c) =>
    family
      .onCaseOpened(tenantId, c.accusedId, c.level, Date.now())
      .catch((err) => log.error({ err, tenantId }, 'family centre case check failed')),
  );

  await app.register(swagger, {
    transform: zodToOpenApi,
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Lifeguard API',
        version: API_VERSION,
        description:
          'Child-safety service: event ingestion, safety-by-design decisions, cases for human review and webhooks. ' +
          'Every /v1 request needs an API key: "Authorization: Bearer <key>" or "X-Api-Key: <key>". Errors are {error, code, problems?}.',
        license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
      },
      components: {
        securitySchemes: {
          bearerKey: {
            type: 'http',
            scheme: 'bearer',
            description: 'A Lifeguard API key (lg_...) as "Authorization: Bearer <key>"',
          },
          xApiKey: {
            type: 'apiKey',
            in: 'header',
            name: 'X-Api-Key',
            description: 'The same API key in the X-Api-Key header, for clients that cannot set Authorization',
          },
        },
      },
      tags: [
        { name: 'ingestion', description: 'Events in the engine schema' },
        { name: 'decisions', description: 'Synchronous safety decisions with reasons and nudges' },
        { name: 'cases', description: 'Cases for human review' },
        { name: 'risk', description: "The detector's current view" },
        { name: 'webhooks', description: 'Signed notifications to the platform' },
        { name: 'admin', description: 'Keys and maintenance' },
        { name: 'family', description: 'Family Centre: consented parent-teen links and their metadata-only view' },
      ],
    },
  });
  if (config.docs !== false) await app.register(swaggerUi, { routePrefix: '/docs' });

  // Event-loop delay shows how long requests wait behind other work in this process (ingestion,
  // detector, GC): the server-side part of decision latency.
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  loopDelay.enable();
  const ms = (ns: number) => Math.round(ns / 1e4) / 100;
  app.get('/healthz', { schema: { hide: true } }, async () => ({
    ok: true,
    storage: storage.kind,
    eventLoopDelayMs: { p50: ms(loopDelay.percentile(50)), p99: ms(loopDelay.percentile(99)), max: ms(loopDelay.max) },
  }));
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  await app.register(
    async (v1) => {
      installAuth(v1, ctx.keyCache);
      await v1.register(ingestRoutes, { ctx });
      await v1.register(decisionRoutes, { ctx });
      await v1.register(caseRoutes, { ctx });
      await v1.register(adminRoutes, { ctx });
      await v1.register(mediaRoutes, { ctx, ...(config.media ? { media: config.media } : {}) });
      await v1.register(banEvasionRoutes, { ctx });
      await v1.register(appealRoutes, { ctx }); // moderator console
      await v1.register(familyRoutes, { ctx }); // Family Centre
      await v1.register(reportingApiRoutes, { ctx }); // reports and evidence
    },
    { prefix: '/v1' },
  );

  // Moderator console (console-server): cookie sessions, kept out of the /v1 OpenAPI document.
  if (config.console !== false) {
    await app.register(consolePlugin, { prefix: '/console', ctx, dir: config.console?.dir ?? DEFAULT_CONSOLE_DIR });
    app.get('/', { schema: { hide: true } }, async (_request, reply) => reply.redirect('/console/'));
  }

  // The embeddable Family Centre page (family-centre): signed page tokens, not API keys.
  await app.register(familyPagePlugin, { prefix: '/family', ctx });

  let nats: NatsBridge | null = null;
  app.addHook('onReady', async () => {
    // Rebuild every tenant's detector (snapshot + replay) before the first request is answered.
    await engines.restoreAll();
    if (config.webhooks !== false) webhooks.start();
    ctx.retention.start();
    ctx.reporting.worker.start();
    if (config.nats) {
      const tenants = config.nats.tenants?.length
        ? config.nats.tenants
        : (await storage.listTenants()).map((t) => t.id);
      nats = new NatsBridge({ ...config.nats, tenants }, ctx.pipeline, log);
      await nats.start();
    }
  });
  app.addHook('onClose', async () => {
    await nats?.stop();
    loopDelay.disable();
    ctx.retention.stop();
    await ctx.reporting.worker.stop();
    await webhooks.stop();
    await engines.idle();
    cases.stop();
    await cases.flush().catch((err) => log.error({ err }, 'case refresh on shutdown failed'));
    await engines.snapshotAll().catch((err) => log.error({ err }, 'snapshot on shutdown failed'));
  });
  return app;
}
