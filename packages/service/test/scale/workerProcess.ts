// `lifeguard serve --role worker|ingest` as a real child process, with its health endpoint and log.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../../cli/bin/lifeguard.mjs', import.meta.url));

export interface RoleProcess {
  child: ChildProcess;
  name: string;
  address: Promise<string>;
  output(): string;
  // biome-ignore lint/suspicious/noExplicitAny: tests read JSON answers loosely and check their shape by assertion
  health(): Promise<any>;
  kill(signal: NodeJS.Signals): void;
  exited: Promise<number | null>;
}

export function startRoleProcess(role: 'worker' | 'ingest', name: string, args: string[]): RoleProcess {
  const child = spawn(process.execPath, [CLI, 'serve', '--role', role, '--worker-name', name, '--port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let resolveAddress!: (a: string) => void;
  const address = new Promise<string>((r) => (resolveAddress = r));
  const onData = (chunk: Buffer) => {
    out += chunk.toString();
    const m = /on (http:\/\/[^\s]+)/.exec(out);
    if (m) resolveAddress(m[1]!);
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return {
    child,
    name,
    address,
    output: () => out,
    async health() {
      const res = await fetch(`${await address}/v1/health`);
      return res.json();
    },
    kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
    exited,
  };
}
