// `lifeguard serve`, `lifeguard keys ...` and `lifeguard demo`. The CLI package calls
// registerServiceCommands(program); packages/service/bin/lifeguard-service.ts runs them on their own.
import { InvalidArgumentError, type Command } from 'commander';
import { join, resolve } from 'node:path';
import { API_SCOPES, type ApiScope, openStorage, type Storage } from '@lifeguard/storage';
import { buildServer } from './server.ts';
import { loadPolicyFile, PolicyError, DEFAULT_POLICY, type Policy } from './policy/policy.ts';
import { createKey, parseScopes } from './auth/keys.ts';
import { runDemo } from './demo/demo.ts';
import { loadServiceModels, modelIdOf, ModelError, type ServiceModels } from './engine/models.ts';
import { registerLabelCommands } from './learning/labelsCli.ts';
import { registerStaffCommands } from './console/staffCli.ts'; // moderator console
import { DestinationPolicy } from './webhooks/destination.ts';
import { defaultEvidenceKey, registerEvidenceCommands } from './reporting/cli.ts'; // reports and evidence
import { loadOrCreateKeyFile } from './reporting/signingKey.ts';
import type { ReportingConfig } from './reporting/config.ts';
import { loadReportingFile, ReportingConfigError } from './reporting/configFile.ts';
import { addScaleOptions, runScaleRole, serviceScaleParts, type ScaleServeOptions } from './scale/serveOptions.ts'; // partitioned detection

/** Where `serve` keeps its SQLite database by default: $LIFEGUARD_HOME or ./.lifeguard. */
export function lifeguardHome(): string {
  return resolve(process.env.LIFEGUARD_HOME ?? '.lifeguard');
}

export function defaultDatabase(): string {
  return join(lifeguardHome(), 'lifeguard.db');
}

function integer(name: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    // InvalidArgumentError: commander prints it as a usage error (exit 1), not a crash.
    if (!Number.isInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(`${name} must be a whole number from ${min} to ${max} (got "${value}")`);
    return n;
  };
}

/** The --webhook-allow list, checked at start (a bad entry stops the service). */
function webhookAllow(list: string | undefined): string[] {
  const allow = (list ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  try {
    new DestinationPolicy(allow);
  } catch (err) {
    refuse(`--webhook-allow: ${(err as Error).message}`);
  }
  return allow;
}

/** Prints a configuration error and exits with status 2 (the service does not start). */
function refuse(message: string): never {
  process.stderr.write(`lifeguard: ${message}\n`);
  process.exit(2);
}

function loadPolicyOrExit(file: string | undefined): Policy {
  if (!file) return DEFAULT_POLICY;
  try {
    return loadPolicyFile(file);
  } catch (err) {
    if (err instanceof PolicyError) refuse(`refusing to start: ${err.message}`);
    throw err;
  }
}

function loadModelsOrExit(opts: { model?: string; modelDir?: string }): ServiceModels {
  try {
    return loadServiceModels(opts);
  } catch (err) {
    if (err instanceof ModelError) refuse(`refusing to start: ${err.message}`);
    throw err;
  }
}

async function openOrExit(database: string, sqliteSync?: 'full' | 'normal'): Promise<Storage> {
  try {
    return await openStorage({ database, ...(sqliteSync ? { sqliteSynchronous: sqliteSync } : {}) });
  } catch (err) {
    refuse(
      `cannot open the database ${database.replace(/:\/\/([^:@/]+):[^@/]*@/, '://$1:***@')}: ${(err as Error).message}`,
    );
  }
}

interface ServeOptions extends ScaleServeOptions {
  database: string;
  host: string;
  port: number;
  policy?: string;
  retentionDays: number;
  dismissedCaseDays: number;
  sqliteSync: 'full' | 'normal';
  logLevel: string;
  webhooks: boolean;
  webhookAllow?: string;
  nats?: string;
  natsTenants?: string;
  model?: string;
  modelDir?: string;
  evidenceKey: string;
  reporting?: string;
}

export function registerServiceCommands(program: Command): void {
  addScaleOptions(program.command('serve'))
    .description('run the HTTP service (API under /v1, docs at /docs)')
    .option(
      '--database <path-or-url>',
      'SQLite file, or a postgres://user@host/db URL',
      process.env.LIFEGUARD_DATABASE ?? defaultDatabase(),
    )
    .option('--host <host>', 'address to listen on', process.env.HOST ?? '127.0.0.1')
    .option(
      '--port <port>',
      'port to listen on (0 picks a free one)',
      integer('--port', 0, 65535),
      Number(process.env.PORT ?? 8080),
    )
    .option('--policy <file>', 'safety policy JSON file (validated at start; see examples/policies/default.json)')
    .option(
      '--model <file>',
      'risk model written by lifeguard train (validated at start); the built-in model when absent',
    )
    .option('--model-dir <dir>', 'per-tenant risk models: <dir>/<tenant id>.json; tenants without a file use --model')
    .option(
      '--retention-days <days>',
      'days to keep message text of conversations without a case',
      integer('--retention-days', 1, 3650),
      30,
    )
    .option(
      '--dismissed-case-days <days>',
      'days after dismissal that a dismissed case keeps the message content it copied',
      integer('--dismissed-case-days', 1, 3650),
      90,
    )
    .option(
      '--sqlite-sync <mode>',
      'SQLite durability: full (survives power loss) or normal (survives process crashes)',
      'full',
    )
    .option('--log-level <level>', 'fatal, error, warn, info, debug', 'info')
    .option('--no-webhooks', 'queue webhook deliveries but do not send them')
    .option(
      '--webhook-allow <list>',
      'comma-separated private ranges, addresses or host names webhooks may go to (on-premise receivers), e.g. 10.20.0.0/16,hooks.corp.example',
    )
    .option('--nats <servers>', 'also consume events from NATS JetStream (subjects lifeguard.<tenant>.events)')
    .option(
      '--nats-tenants <list>',
      'comma-separated tenants this instance consumes from NATS (default: all in the database)',
    )
    .option(
      '--evidence-key <file>',
      'Ed25519 key (PEM) that signs preserved evidence; created if missing',
      defaultEvidenceKey(lifeguardHome()),
    )
    .option(
      '--reporting <file>',
      'reporting configuration (JSON): reporter, NCMEC credentials, NCA registration; see docs/reporting.md',
    )
    .action(async (opts: ServeOptions) => {
      if (await runScaleRole(opts, refuse)) return;
      if (opts.sqliteSync !== 'full' && opts.sqliteSync !== 'normal')
        refuse(`--sqlite-sync must be full or normal (got "${opts.sqliteSync}")`);
      const policy = loadPolicyOrExit(opts.policy);
      const models = loadModelsOrExit(opts);
      let reporting: ReportingConfig;
      try {
        reporting = {
          ...(opts.reporting ? loadReportingFile(opts.reporting) : {}),
          evidenceKey: loadOrCreateKeyFile(opts.evidenceKey),
        };
      } catch (err) {
        if (err instanceof ReportingConfigError) refuse(`refusing to start: ${err.message}`);
        refuse(`refusing to start: cannot use the evidence key ${opts.evidenceKey}: ${(err as Error).message}`);
      }
      const storage = await openOrExit(opts.database, opts.sqliteSync);
      if ((await storage.countApiKeys()) === 0) {
        const { key } = await createKey(storage, 'default', 'bootstrap admin', ['admin'], 'Default platform');
        process.stdout.write(
          `No API keys yet: created an admin key for tenant "default". It is shown only now; keep it safe:\n\n  ${key}\n\n` +
            'Create narrower keys with POST /v1/keys or `lifeguard keys create`.\n',
        );
      }
      const scale = await serviceScaleParts(opts, async () => (await storage.listTenants()).map((t) => t.id), refuse);
      const app = await buildServer({
        storage,
        ...(scale.outsideRisk ? { outsideRisk: scale.outsideRisk } : {}),
        ...(scale.outsideReports ? { outsideReports: scale.outsideReports } : {}),
        policy,
        models,
        logger: { level: opts.logLevel },
        retention: { messageTextDays: opts.retentionDays, dismissedCaseDays: opts.dismissedCaseDays },
        ...(opts.webhooks ? { webhooks: { allow: webhookAllow(opts.webhookAllow) } } : { webhooks: false as const }),
        reporting,
        ...(opts.nats
          ? {
              nats: {
                servers: opts.nats,
                ...(opts.natsTenants
                  ? {
                      tenants: opts.natsTenants
                        .split(',')
                        .map((t) => t.trim())
                        .filter(Boolean),
                    }
                  : {}),
              },
            }
          : {}),
      });
      let closing = false;
      const shutdown = async (signal: string) => {
        if (closing) return;
        closing = true;
        app.log.info({ signal }, 'shutting down');
        await app.close();
        await scale.close();
        await storage.close();
        process.exit(0);
      };
      process.on('SIGINT', () => void shutdown('SIGINT'));
      process.on('SIGTERM', () => void shutdown('SIGTERM'));
      scale.install(app);
      const address = await app.listen({ host: opts.host, port: opts.port });
      const tenantModels = Object.entries(models.tenants ?? {}).map(([tenant, m]) => `${tenant}: ${modelIdOf(m)}`);
      process.stdout.write(
        `lifeguard listening on ${address} (storage: ${storage.kind}; model: ${models.default ? modelIdOf(models.default) : 'built-in default'}` +
          `${tenantModels.length ? `; tenant models: ${tenantModels.join(', ')}` : ''}; API docs: ${address}/docs)\n`,
      );
    });

  const keys = program.command('keys').description('manage API keys (run where the database is reachable)');
  keys
    .command('create')
    .description('create an API key; it is printed once')
    .requiredOption('--tenant <id>', 'platform (tenant) id; created if new')
    .option('--name <name>', 'what the key is for', 'cli key')
    .option('--scopes <list>', `comma-separated: ${API_SCOPES.join(', ')}`, 'admin')
    .option(
      '--database <path-or-url>',
      'SQLite file or postgres:// URL',
      process.env.LIFEGUARD_DATABASE ?? defaultDatabase(),
    )
    .action(async (opts: { tenant: string; name: string; scopes: string; database: string }) => {
      let scopes: ApiScope[];
      try {
        scopes = parseScopes(opts.scopes);
      } catch (err) {
        refuse((err as Error).message);
      }
      const storage = await openOrExit(opts.database);
      try {
        const { key, record } = await createKey(storage, opts.tenant, opts.name, scopes);
        process.stdout.write(`${key}\n`);
        process.stderr.write(
          `created key ${record.id} for tenant ${record.tenantId} with scopes ${record.scopes.join(', ')}\n`,
        );
      } finally {
        await storage.close();
      }
    });
  keys
    .command('list')
    .description("list a tenant's keys (never the keys themselves)")
    .requiredOption('--tenant <id>', 'platform (tenant) id')
    .option(
      '--database <path-or-url>',
      'SQLite file or postgres:// URL',
      process.env.LIFEGUARD_DATABASE ?? defaultDatabase(),
    )
    .action(async (opts: { tenant: string; database: string }) => {
      const storage = await openOrExit(opts.database);
      try {
        for (const k of await storage.listApiKeys(opts.tenant)) {
          process.stdout.write(
            `${k.id}\t${k.prefix}...\t${k.scopes.join(',')}\t${k.revokedAt ? 'revoked' : 'active'}\t${k.name}\n`,
          );
        }
      } finally {
        await storage.close();
      }
    });
  keys
    .command('revoke')
    .description('revoke a key by id')
    .requiredOption('--tenant <id>', 'platform (tenant) id')
    .requiredOption('--id <keyId>', 'key id (from keys list)')
    .option(
      '--database <path-or-url>',
      'SQLite file or postgres:// URL',
      process.env.LIFEGUARD_DATABASE ?? defaultDatabase(),
    )
    .action(async (opts: { tenant: string; id: string; database: string }) => {
      const storage = await openOrExit(opts.database);
      try {
        if (!(await storage.revokeApiKey(opts.tenant, opts.id, Date.now())))
          refuse(`no active key ${opts.id} for tenant ${opts.tenant}`);
        process.stderr.write(`revoked ${opts.id}\n`);
      } finally {
        await storage.close();
      }
    });

  registerStaffCommands(program, { defaultDatabase, openOrExit, refuse }); // moderator console: lifeguard staff add
  registerLabelCommands(program, { defaultDatabase, openOrExit, refuse }); // lifeguard labels export
  registerEvidenceCommands(program, { defaultDatabase, lifeguardHome, openOrExit, refuse }); // reports and evidence

  program
    .command('demo')
    .description(
      'start the service on a temporary SQLite database, play a short scripted scenario over HTTP, and show what happened',
    )
    .option('--keep', 'keep the temporary database and print its path')
    .action(async (opts: { keep?: boolean }) => {
      await runDemo({ write: (line) => process.stdout.write(`${line}\n`), keep: Boolean(opts.keep) });
    });
}
