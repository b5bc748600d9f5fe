// Entry of the SQLite writer thread (see sqliteWriter.ts): one inline SqliteStorage whose methods are
// called in arrival order, each answered with its result or error.
import { parentPort, workerData } from 'node:worker_threads';
import { SqliteStorage } from './sqlite.ts';
import { WRITER_METHODS, type Reply, type Request, type WriterCall, type WriterInit } from './sqliteWriter.ts';

const init = workerData as WriterInit;
const storage = new SqliteStorage({ path: init.path, synchronous: init.synchronous, writer: 'inline' });
const port = parentPort!;
const writerMethods: ReadonlySet<string> = new Set(WRITER_METHODS);

function run(call: WriterCall): Promise<unknown> {
  if (!writerMethods.has(call.method)) throw new Error(`unknown storage method ${call.method}`);
  // The union's method and args belong together (see WriterCall); TypeScript cannot correlate them here.
  const method = storage[call.method] as (...args: WriterCall['args']) => Promise<unknown>;
  return method.apply(storage, call.args);
}

port.on('message', async (req: Request) => {
  let reply: Reply;
  try {
    reply = { id: req.id, ok: true, value: await run(req) };
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
