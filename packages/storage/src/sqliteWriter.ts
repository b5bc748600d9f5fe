// The SQLite writer thread. better-sqlite3 is synchronous: a commit (B-tree updates, WAL write, fsync)
// blocks the thread that runs it. Running every write here keeps the service's event loop free to answer
// decisions while ingestion commits, and serialises writes as SQLite requires anyway. Reads stay on the
// main thread's own connection; in WAL mode they never wait for this writer.
import { Worker } from 'node:worker_threads';
import { ConflictError, NotFoundError } from './types.ts';

export interface WriterInit {
  entry: string;
  path: string;
  synchronous: 'full' | 'normal';
}

export interface Request {
  id: number;
  method: string;
  args: unknown[];
}

export type Reply =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: { name: string; message: string; code?: string } };

function revive(e: { name: string; message: string; code?: string }): Error {
  const err =
    e.name === 'ConflictError'
      ? new ConflictError(e.message)
      : e.name === 'NotFoundError'
        ? new NotFoundError(e.message)
        : new Error(e.message);
  if (e.code) (err as Error & { code?: string }).code = e.code;
  if (err.name === 'Error' && e.name !== 'Error') err.name = e.name;
  return err;
}

/** The main thread's handle on the writer: method calls in, results (or errors) out, in order. */
export class WriterThread {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  private next = 1;
  private failed: Error | null = null;

  constructor(path: string, synchronous: 'full' | 'normal') {
    const init: WriterInit = { entry: new URL('./sqliteWriterWorker.ts', import.meta.url).href, path, synchronous };
    this.worker = new Worker(new URL('./workerBoot.mjs', import.meta.url), { workerData: init });
    this.worker.unref();
    this.worker.on('message', (reply: Reply) => {
      const waiting = this.pending.get(reply.id);
      if (!waiting) return;
      this.pending.delete(reply.id);
      if (this.pending.size === 0) this.worker.unref();
      if (reply.ok) waiting.resolve(reply.value);
      else waiting.reject(revive(reply.error));
    });
    const fail = (err: Error) => {
      this.failed = err;
      for (const waiting of this.pending.values()) waiting.reject(err);
      this.pending.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`SQLite writer thread exited (code ${code})`)));
  }

  call<T>(method: string, args: unknown[]): Promise<T> {
    if (this.failed) return Promise.reject(this.failed);
    const id = this.next++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.ref();
      this.worker.postMessage({ id, method, args } satisfies Request);
    });
  }

  async close(): Promise<void> {
    if (this.failed) return;
    await this.call('close', []);
    await this.worker.terminate();
  }
}
