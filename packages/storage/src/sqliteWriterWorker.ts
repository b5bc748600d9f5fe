// Entry of the SQLite writer thread (see sqliteWriter.ts): one inline SqliteStorage whose methods are
// called in arrival order, each answered with its result or error.
import { parentPort, workerData } from 'node:worker_threads';
import { SqliteStorage } from './sqlite.ts';
import type { Reply, Request, WriterInit } from './sqliteWriter.ts';

const init = workerData as WriterInit;
const storage = new SqliteStorage({ path: init.path, synchronous: init.synchronous, writer: 'inline' });
const port = parentPort!;
port.on('message', async (req: Request) => {
  let reply: Reply;
  try {
    const fn = (storage as unknown as Record<string, (...a: unknown[]) => unknown>)[req.method];
    if (typeof fn !== 'function') throw new Error(`unknown storage method ${req.method}`);
    reply = { id: req.id, ok: true, value: await fn.apply(storage, req.args) };
  } catch (err) {
    const e = err as Error & { code?: string };
    reply = {
      id: req.id,
      ok: false,
      error: { name: e.name, message: e.message, ...(typeof e.code === 'string' ? { code: e.code } : {}) },
    };
  }
  port.postMessage(reply);
});
