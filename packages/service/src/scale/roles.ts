// `lifeguard serve --role worker|ingest`: the partitioned-detection processes that serve no API.
// (`--role api` is the ordinary service reading actor risk from the read model; see cli.ts.)
import { hostname } from 'node:os';
import type { EngineOptions } from '@lifeguard/core';
import { connectScale } from './context.ts';
import { IngestBridge } from './ingestBridge.ts';
import { LeaseHeldError } from './lease.ts';
import { prometheusText } from './metrics.ts';
import { checkTenant } from './names.ts';
import { startRoleServer } from './roleServer.ts';
import { PartitionRouter } from './router.ts';
import { ScaleWorker } from './worker.ts';

export interface RoleOptions {
  role: 'worker' | 'ingest';
  nats: string;
  tenant: string;
  partitions: number;
  namespace?: string;
  workerName?: string;
  leaseTtlMs?: number;
  /** Partitions to own exactly (worker; no rebalancing). */
  own?: number[];
  host: string;
  port: number;
  engine?: EngineOptions;
}

export interface RunningRole {
  address: string;
  stop(): Promise<void>;
}

/** Starts the role; a held lease or bad option rejects with a message fit for the operator. */
export async function startRole(options: RoleOptions): Promise<RunningRole> {
  checkTenant(options.tenant);
  const holder = options.workerName ?? `${options.role}-${hostname()}-${process.pid}`;
  const log = {
    info: (obj: object, msg: string) => process.stdout.write(`${JSON.stringify({ level: 'info', msg, ...obj })}\n`),
    error: (obj: object, msg: string) => process.stderr.write(`${JSON.stringify({ level: 'error', msg, ...obj })}\n`),
  };
  const ctx = await connectScale({
    servers: options.nats,
    holder,
    log,
    ...(options.namespace ? { namespace: options.namespace } : {}),
    ...(options.engine ? { engine: options.engine } : {}),
  });
  if (options.role === 'worker') {
    const worker = new ScaleWorker(ctx, {
      tenant: options.tenant,
      partitions: options.partitions,
      ...(options.own ? { fixed: options.own } : {}),
      owner: options.leaseTtlMs ? { leaseTtlMs: options.leaseTtlMs } : {},
    });
    try {
      await worker.start();
    } catch (err) {
      await ctx.nc.close();
      throw err;
    }
    const { server, address } = await startRoleServer(options.host, options.port, {
      health: () => ({ ok: true, role: 'worker', ...worker.status() }),
      metrics: () => prometheusText([worker.status()]),
    });
    return {
      address,
      async stop() {
        server.close();
        await worker.stop();
        await ctx.nc.drain().catch(() => {});
      },
    };
  }
  const router = new PartitionRouter(ctx.js, ctx.names, options.partitions);
  const bridge = new IngestBridge(ctx, router, { tenant: options.tenant });
  await bridge.start();
  const counts = () => ({ tenant: options.tenant, routedEvents: bridge.routed, rejectedMessages: bridge.rejected });
  const { server, address } = await startRoleServer(options.host, options.port, {
    health: () => ({ ok: true, role: 'ingest', holder, partitions: options.partitions, ...counts() }),
    metrics: () => prometheusText([], [counts()]),
  });
  return {
    address,
    async stop() {
      server.close();
      await bridge.stop();
      await ctx.nc.drain().catch(() => {});
    },
  };
}

export { LeaseHeldError };
