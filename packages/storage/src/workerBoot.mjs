// Starts a worker whose entry is TypeScript: registers tsx in the worker (workers do not inherit the
// parent's --import hooks), then loads the entry. A .js entry is imported as is.
import { workerData } from 'node:worker_threads';

if (workerData.entry.endsWith('.ts')) {
  const { register } = await import('tsx/esm/api');
  register();
}
await import(workerData.entry);
