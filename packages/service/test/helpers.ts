// A service on a fresh store with keys for each scope and a second tenant, for app.inject tests.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { openTestStore, type TestStoreKind } from '@lifeguard/storage/testing';
import type { Storage } from '@lifeguard/storage';
import { buildServer, createKey, type ServiceConfig } from '../src/index.ts';

export interface TestService {
  app: FastifyInstance;
  storage: Storage;
  keys: { admin: string; ingest: string; decide: string; reader: string; reviewer: string; otherAdmin: string };
  call(
    method: string,
    url: string,
    key: string | null,
    payload?: unknown,
    // biome-ignore lint/suspicious/noExplicitAny: tests read JSON answers loosely and check their shape by assertion
  ): Promise<LightMyRequestResponse & { json(): any }>;
  ingest(events: unknown[], key?: string): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export async function startTestService(kind: TestStoreKind, config: Partial<ServiceConfig> = {}): Promise<TestService> {
  const store = await openTestStore(kind);
  const storage = store.storage;
  const keys = {
    admin: (await createKey(storage, 'acme', 'acme admin', ['admin'])).key,
    ingest: (await createKey(storage, 'acme', 'ingest bot', ['ingest'])).key,
    decide: (await createKey(storage, 'acme', 'decision bot', ['decide'])).key,
    reader: (await createKey(storage, 'acme', 'dashboard', ['cases:read'])).key,
    reviewer: (await createKey(storage, 'acme', 'trust and safety', ['cases:read', 'cases:write'])).key,
    otherAdmin: (await createKey(storage, 'globex', 'globex admin', ['admin'])).key,
  };
  const app = await buildServer({ storage, webhooks: false, ...config });
  await app.ready();
  const call: TestService['call'] = (method, url, key, payload) =>
    app.inject({
      method: method as 'GET',
      url,
      headers: key ? { authorization: `Bearer ${key}` } : {},
      ...(payload === undefined
        ? {}
        : typeof payload === 'string'
          ? {
              payload,
              headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), 'content-type': 'application/json' },
            }
          : { payload: payload as object }),
    }) as ReturnType<TestService['call']>;
  return {
    app,
    storage,
    keys,
    call,
    ingest: (events, key = keys.ingest) => call('POST', '/v1/events', key, { events }),
    async close() {
      await app.close();
      await store.cleanup();
    },
  };
}

/** A recent time, so events are inside retention and not in the future. */
export const NOW = () => Date.now() - 3_600_000;
