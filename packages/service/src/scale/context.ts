// What partition owners, the account stage and the coordinator share: one NATS connection, the
// streams and buckets (created when missing), the lease store.
import {
  connect,
  type JetStreamClient,
  type JetStreamManager,
  type KV,
  type NatsConnection,
  type ObjectStore,
} from 'nats';
import type { EngineOptions } from '@lifeguard/core';
import { LeaseStore } from './lease.ts';
import { scaleNames, type ScaleNames } from './names.ts';

export interface ScaleLog {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface ScaleContext {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  names: ScaleNames;
  leases: LeaseStore;
  pointers: KV;
  objects: ObjectStore;
  workers: KV;
  /** This worker's name in leases (unique per process). */
  holder: string;
  engine: EngineOptions;
  log: ScaleLog;
}

export interface ScaleConnectOptions {
  servers: string;
  namespace?: string;
  holder: string;
  engine?: EngineOptions;
  log?: ScaleLog;
  /** Tests move the lease clock. */
  now?: () => number;
}

async function ensureStream(jsm: JetStreamManager, name: string, subjects: string[]): Promise<void> {
  try {
    await jsm.streams.info(name);
  } catch {
    // Two minutes of deduplication by Nats-Msg-Id: a router retrying after a crash republishes harmlessly.
    await jsm.streams.add({ name, subjects, duplicate_window: 120_000_000_000 }).catch(async (err) => {
      // Another process created it meanwhile.
      await jsm.streams.info(name).catch(() => {
        throw err;
      });
    });
  }
}

export async function connectScale(options: ScaleConnectOptions): Promise<ScaleContext> {
  const nc = await connect({
    servers: options.servers,
    name: `lifeguard-${options.holder}`,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
  });
  const names = scaleNames(options.namespace);
  const jsm = await nc.jetstreamManager();
  const js = nc.jetstream();
  const ns = names.partSubject('x', 0).split('part.')[0];
  await ensureStream(jsm, names.partStream, [`${ns}part.*.*`]);
  await ensureStream(jsm, names.resultStream, [`${ns}res.*.*`]);
  const leaseKv = await js.views.kv(names.leaseBucket, { history: 1 });
  const pointers = await js.views.kv(names.snapshotPointerBucket, { history: 1 });
  const workers = await js.views.kv(names.workerBucket, { history: 1 });
  const objects = await js.views.os(names.snapshotStore);
  return {
    nc,
    js,
    jsm,
    names,
    leases: new LeaseStore(leaseKv, options.now),
    pointers,
    objects,
    workers,
    holder: options.holder,
    engine: options.engine ?? {},
    log: options.log ?? console,
  };
}
