// A private nats-server with JetStream on a free port and a temporary store, for tests that stop and
// restart NATS (never the machine's shared server). Skipped, and counted, when nats-server is absent.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'nats';
import { environmentSkip } from '@lifeguard/storage/testing';

const CANDIDATES = [
  process.env.LIFEGUARD_NATS_SERVER,
  '/usr/sbin/nats-server',
  '/usr/bin/nats-server',
  '/usr/local/bin/nats-server',
];
export const NATS_BINARY = CANDIDATES.find((p): p is string => !!p && existsSync(p)) ?? null;

export const privateNatsSkip = environmentSkip(
  'a nats-server binary (private NATS for restart tests)',
  NATS_BINARY ? null : 'nats-server not found (apt-get install nats-server, or set LIFEGUARD_NATS_SERVER to its path)',
);

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export class PrivateNats {
  private child: ChildProcess | null = null;
  readonly storeDir = mkdtempSync(join(tmpdir(), 'lifeguard-nats-'));
  private constructor(readonly port: number) {}

  get servers(): string {
    return `127.0.0.1:${this.port}`;
  }

  static async start(): Promise<PrivateNats> {
    const n = new PrivateNats(await freePort());
    await n.up();
    return n;
  }

  async up(): Promise<void> {
    this.child = spawn(NATS_BINARY!, ['-js', '-a', '127.0.0.1', '-p', String(this.port), '-sd', this.storeDir], {
      stdio: 'ignore',
    });
    const deadline = Date.now() + 15_000;
    for (;;) {
      try {
        const nc = await connect({ servers: this.servers, timeout: 500 });
        await (await nc.jetstreamManager()).getAccountInfo();
        await nc.close();
        return;
      } catch (err) {
        if (Date.now() > deadline) throw new Error(`private nats-server did not start: ${(err as Error).message}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  /** Stops the server (SIGTERM, then waits for it to exit). */
  async down(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
    this.child = null;
  }

  async close(): Promise<void> {
    await this.down();
    rmSync(this.storeDir, { recursive: true, force: true });
  }
}
