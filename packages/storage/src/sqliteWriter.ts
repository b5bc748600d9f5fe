// The SQLite writer thread. better-sqlite3 is synchronous: a commit (B-tree updates, WAL write, fsync)
// blocks the thread that runs it. Running every write here keeps the service's event loop free to answer
// decisions while ingestion commits, and serialises writes as SQLite requires anyway. Reads stay on the
// main thread's own connection; in WAL mode they never wait for this writer.
import { Worker } from 'node:worker_threads';
import { ConflictError, NotFoundError, type Storage } from './types.ts';

export interface WriterInit {
  entry: string;
  path: string;
  synchronous: 'full' | 'normal';
}

/** The Storage methods that run in the writer thread: the lifecycle and every write. Reads never go there. */
export const WRITER_METHODS = [
  'migrate',
  'close',
  'createTenant',
  'createApiKey',
  'revokeApiKey',
  'appendEvents',
  'saveCase',
  'createWebhook',
  'deleteWebhook',
  'enqueueWebhookEvent',
  'claimDueDeliveries',
  'recordDeliveryOutcome',
  'saveSnapshot',
  'purgeMessageText',
  'purgeDismissedCaseEvidence',
  'upsertBank',
  'deleteBank',
  'addBankHashes',
  'removeBankHash',
  'createStaffUser',
  'updateStaffUser',
  'recordSignin',
  'createStaffSession',
  'touchStaffSession',
  'deleteStaffSession',
  'claimCase',
  'releaseClaim',
  'decideCase',
  'appealCase',
  'appendAudit',
  'identifierSecret',
  'replaceAccountIdentifiers',
  'addAccountBan',
  'liftAccountBans',
  'createFamilyLink',
  'transitionFamilyLink',
  'recordSafetyWarnings',
  'putAccountSettings',
  'pruneFamilyMetadata',
  'putDisplayNames',
  'freezeEvidence',
  'placeLegalHold',
  'createAuthorityReport',
  'updateAuthorityReport',
  'claimDueAuthorityReports',
] as const satisfies readonly (keyof Storage)[];
export type WriterMethod = (typeof WRITER_METHODS)[number];

/** One call to the writer: the method's name with its arguments, typed as Storage declares them. */
export type WriterCall = { [M in WriterMethod]: { method: M; args: Parameters<Storage[M]> } }[WriterMethod];
export type WriterResult<M extends WriterMethod> = Awaited<ReturnType<Storage[M]>>;

export type Request = WriterCall & { id: number };

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

  call<M extends WriterMethod>(method: M, args: Parameters<Storage[M]>): Promise<WriterResult<M>> {
    if (this.failed) return Promise.reject(this.failed);
    const id = this.next++;
    // TypeScript cannot see that a (method, args) pair of one M is a member of the WriterCall union.
    const request = { id, method, args } as Request;
    return new Promise<WriterResult<M>>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.ref();
      this.worker.postMessage(request);
    });
  }

  async close(): Promise<void> {
    if (this.failed) return;
    await this.call('close', []);
    await this.worker.terminate();
  }
}
