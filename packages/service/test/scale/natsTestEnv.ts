// Partitioned-detection tests use the machine's NATS JetStream (127.0.0.1:4222, or LIFEGUARD_TEST_NATS)
// under a namespace of their own, removed afterwards, and skip (counted) when it is not there. Tests
// that stop NATS start a private nats-server instead (privateNats.ts).
import { randomBytes } from 'node:crypto';
import { connect } from 'nats';
import { environmentSkip } from '@lifeguard/storage/testing';
import { connectScale, type ScaleContext } from '../../src/scale/context.ts';
import { scaleNames } from '../../src/scale/names.ts';

export const NATS_SERVERS = process.env.LIFEGUARD_TEST_NATS ?? '127.0.0.1:4222';

async function natsUnavailable(servers: string): Promise<string | null> {
  try {
    const nc = await connect({ servers, timeout: 2_000 });
    await (await nc.jetstreamManager()).getAccountInfo();
    await nc.close();
    return null;
  } catch (err) {
    return (
      `NATS JetStream unreachable at ${servers} (${(err as Error).message}). Start nats-server with JetStream ` +
      '(`nats-server -js`) or point LIFEGUARD_TEST_NATS at one to run these tests'
    );
  }
}

export const natsSkip = environmentSkip('NATS JetStream', await natsUnavailable(NATS_SERVERS));

/** A fresh namespace, so parallel test files and earlier runs never meet. */
export function testNamespace(): string {
  return `t${randomBytes(5).toString('hex')}`;
}

const quiet = { info() {}, error() {} };

export function scaleContext(namespace: string, holder: string, servers = NATS_SERVERS): Promise<ScaleContext> {
  return connectScale({ servers, namespace, holder, log: process.env.LIFEGUARD_TEST_LOG ? console : quiet });
}

/** Deletes every stream the namespace created (streams behind KV buckets and the object store too). */
export async function removeNamespace(namespace: string, servers = NATS_SERVERS): Promise<void> {
  const nc = await connect({ servers });
  const jsm = await nc.jetstreamManager();
  const up = scaleNames(namespace).partStream.split('_')[0]!;
  for await (const s of jsm.streams.list()) {
    const name = s.config.name;
    if (name.startsWith(`${up}_`) || name.startsWith(`KV_${up}_`) || name.startsWith(`OBJ_${up}_`))
      await jsm.streams.delete(name).catch(() => {});
  }
  await nc.close();
}

export async function waitFor(what: string, check: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
