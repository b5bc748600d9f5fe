// The partitioned-detection options of `lifeguard serve` and what they start: --role worker|ingest run
// startRole (no API); --role api runs the ordinary service with actor risk from the read model and
// adds /v1/health and /metrics; without a role, a service consuming NATS claims each tenant it detects
// for (TenantLock), so a second instance for the same tenant is refused rather than splitting it.
import { hostname } from 'node:os';
import { InvalidArgumentError, type Command } from 'commander';
import type { FastifyInstance } from 'fastify';
import { connect } from 'nats';
import type { OutsideReports, OutsideRisk } from '../engine/engineHost.ts';
import { RiskReadModel } from './readModel.ts';
import { startRole } from './roles.ts';
import { scaleNames } from './names.ts';
import { TenantLock } from './tenantLock.ts';

export interface ScaleServeOptions {
  role: 'all' | 'worker' | 'ingest' | 'api';
  tenant?: string;
  partitions: number;
  namespace: string;
  workerName?: string;
  leaseTtlMs?: number;
  own?: string;
  nats?: string;
  natsTenants?: string;
  host: string;
  port: number;
}

const ROLES = ['all', 'worker', 'ingest', 'api'];

export function addScaleOptions(command: Command): Command {
  return command
    .option(
      '--role <role>',
      'all (one process does everything), or worker, ingest or api for partitioned detection of one tenant (needs --nats and --tenant)',
      (v: string) => {
        if (!ROLES.includes(v))
          throw new InvalidArgumentError(`--role must be one of ${ROLES.join(', ')} (got "${v}")`);
        return v;
      },
      'all',
    )
    .option('--tenant <id>', 'the tenant partitioned detection serves (--role worker|ingest|api)')
    .option(
      '--partitions <n>',
      'partitions the tenant is split into (all workers and routers must agree; env LIFEGUARD_PARTITIONS)',
      (v: string) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 1 || n > 1024)
          throw new InvalidArgumentError(`--partitions must be a whole number from 1 to 1024 (got "${v}")`);
        return n;
      },
      Number(process.env.LIFEGUARD_PARTITIONS ?? 8),
    )
    .option('--namespace <ns>', 'prefix of the NATS streams, subjects and buckets partitioned detection uses', 'lg')
    .option('--worker-name <name>', "this worker's name in leases (default: role-host-pid)")
    .option('--lease-ttl-ms <ms>', "lease time to live; a dead worker's partitions move after it", (v: string) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 500 || n > 600_000)
        throw new InvalidArgumentError(`--lease-ttl-ms must be from 500 to 600000 (got "${v}")`);
      return n;
    })
    .option('--own <list>', 'worker: own exactly these partitions (e.g. 0,1), refusing to start if one is held');
}

/** Runs a worker or ingest role; returns false for the roles the ordinary service handles. */
export async function runScaleRole(opts: ScaleServeOptions, refuse: (message: string) => never): Promise<boolean> {
  if (opts.role !== 'worker' && opts.role !== 'ingest') return false;
  if (!opts.nats) refuse(`--role ${opts.role} needs --nats <servers>`);
  if (!opts.tenant) refuse(`--role ${opts.role} needs --tenant <id>`);
  const own = opts.own?.split(',').map((p) => Number(p.trim()));
  let running: Awaited<ReturnType<typeof startRole>>;
  try {
    running = await startRole({
      role: opts.role,
      nats: opts.nats,
      tenant: opts.tenant,
      partitions: opts.partitions,
      namespace: opts.namespace,
      host: opts.host,
      port: opts.port,
      ...(opts.workerName ? { workerName: opts.workerName } : {}),
      ...(opts.leaseTtlMs ? { leaseTtlMs: opts.leaseTtlMs } : {}),
      ...(own ? { own } : {}),
    });
  } catch (err) {
    refuse(`refusing to start: ${(err as Error).message}`);
  }
  const shutdown = async () => {
    await running.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown());
  process.on('SIGTERM', () => void shutdown());
  process.stdout.write(
    `lifeguard ${opts.role} for tenant ${opts.tenant} (${opts.partitions} partitions) on ${running.address}\n`,
  );
  return true;
}

/** What --role api and the single-process claim add to the ordinary service. */
export interface ServiceScaleParts {
  outsideRisk?: OutsideRisk;
  /** The tenant's account and conversation reports, from the read model (the same answers as one process). */
  outsideReports?: OutsideReports;
  /** Routes to add before listening. */
  install(app: FastifyInstance): void;
  close(): Promise<void>;
}

export async function serviceScaleParts(
  opts: ScaleServeOptions,
  allTenants: () => Promise<string[]>,
  refuse: (message: string) => never,
): Promise<ServiceScaleParts> {
  if (opts.role === 'api') {
    if (!opts.nats) refuse('--role api needs --nats <servers>');
    if (!opts.tenant) refuse('--role api needs --tenant <id>');
    const nc = await connect({ servers: opts.nats, maxReconnectAttempts: -1 });
    const model = await RiskReadModel.open(nc, opts.tenant, opts.namespace);
    const tenant = opts.tenant;
    const health = () => ({
      ok: true,
      role: 'api',
      tenant,
      readModel: { accounts: model.size, updates: model.updates, lastUpdateAt: model.lastUpdateAt },
    });
    return {
      outsideRisk: (t, account) => (t === tenant ? (model.risk(account)?.score ?? null) : null),
      outsideReports: {
        account: (t, account) => (t === tenant ? (model.risk(account)?.report ?? null) : undefined),
        conversation: async (t, conversation) => (t === tenant ? await model.conversation(conversation) : undefined),
      },
      install(app) {
        app.get('/v1/health', { schema: { hide: true } }, async () => health());
        app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => {
          reply.type('text/plain; version=0.0.4');
          return `# HELP lifeguard_read_model_accounts Accounts in the replicated read model\n# TYPE lifeguard_read_model_accounts gauge\nlifeguard_read_model_accounts{tenant="${tenant}"} ${model.size}\n# HELP lifeguard_read_model_updates_total Read model updates received\n# TYPE lifeguard_read_model_updates_total counter\nlifeguard_read_model_updates_total{tenant="${tenant}"} ${model.updates}\n`;
        });
      },
      async close() {
        await model.close();
        await nc.close();
      },
    };
  }
  if (!opts.nats) return { install() {}, async close() {} };
  // One process detecting for its tenants: claim them, so a second instance cannot split a detector.
  const tenants = opts.natsTenants
    ? opts.natsTenants
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean)
    : await allTenants();
  const nc = await connect({ servers: opts.nats, maxReconnectAttempts: -1 });
  const kv = await nc.jetstream().views.kv(scaleNames(opts.namespace).leaseBucket, { history: 1 });
  const lock = new TenantLock(kv, opts.workerName ?? `serve-${hostname()}-${process.pid}`, opts.leaseTtlMs ?? 10_000);
  try {
    await lock.acquire(tenants);
  } catch (err) {
    await nc.close();
    refuse(`refusing to start: ${(err as Error).message}`);
  }
  lock.onLost = (err) => process.stderr.write(`lifeguard: ${err.message}\n`);
  return {
    install() {},
    async close() {
      await lock.release();
      await nc.close();
    },
  };
}
