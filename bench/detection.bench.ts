// Detection pipeline throughput and memory on real everyday chat (../shared/corpora).
//   node --expose-gc --import tsx bench/detection.bench.ts
// Prints progress on stderr and one JSON line {title, markdown} last on stdout (see bench/run.ts).
//
// Throughput is measured twice: as bundled JavaScript under plain node (how on-device builds
// and a production build run the core) and under tsx (how the CLI runs in development). tsx's
// loader detaches an ArrayBuffer, after which V8 checks every typed-array access in the process.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DetectionEngine, type MessageEvent } from '@lifeguard/core';
import { loadCorpusEvents } from './corpora.ts';

const THROUGHPUT_ONLY = process.argv.includes('--throughput-only');

const TITLE = 'Detection pipeline (DetectionEngine)';
const THROUGHPUT_GOAL = 200_000; // messages per second on one core
const MEMORY_GOAL = 1024; // bytes per tracked conversation
const REPETITIONS = 5;
const SYNTHETIC_CONVERSATIONS = [50_000, 200_000];
const MESSAGES_PER_SYNTHETIC_CONVERSATION = 8;
const SYNTHETIC_USERS = 40_000;

const log = (line: string) => process.stderr.write(`${line}\n`);
const gc = (globalThis as { gc?: () => void }).gc;

function finish(markdown: string): void {
  console.log(JSON.stringify({ title: TITLE, markdown }));
}

function heapBytes(): number {
  if (!gc) throw new Error('run with node --expose-gc');
  for (let i = 0; i < 4; i++) gc();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/** One full pass: every event through process(), then every conversation's final score read. */
function pass(events: readonly MessageEvent[]): { seconds: number; engine: DetectionEngine; checksum: number } {
  const engine = new DetectionEngine();
  const start = process.hrtime.bigint();
  for (const event of events) engine.process(event);
  let checksum = 0;
  for (const id of engine.conversationIds()) checksum += engine.conversationScore(id);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { seconds, engine, checksum };
}

/** Copies a string so that the engine's references to it are charged to the engine, not the corpus. */
const fresh = (text: string) => Buffer.from(text, 'utf8').toString('utf8');

/**
 * Feeds `conversations` synthetic 1:1 conversations (corpus texts, users drawn from a fixed pool)
 * and returns the heap growth. Ids and texts are created on the fly, so everything the engine keeps
 * is counted.
 */
function syntheticHeap(texts: readonly string[], conversations: number): { bytes: number; engine: DetectionEngine } {
  const before = heapBytes();
  const engine = new DetectionEngine();
  const start = Date.UTC(2024, 0, 1);
  let t = 0;
  for (let c = 0; c < conversations; c++) {
    const a = `user-${(c * 7919) % SYNTHETIC_USERS}`;
    const b = `user-${(c * 104729 + 1) % SYNTHETIC_USERS}`;
    const conversationId = `conv-${c}`;
    for (let m = 0; m < MESSAGES_PER_SYNTHETIC_CONVERSATION; m++) {
      const sender = m % 2 === 0 ? a : b;
      engine.process({
        type: 'message',
        id: `${conversationId}-${m}`,
        time: start + c * 1000 + m * 30_000,
        conversationId,
        senderId: sender,
        recipientIds: [sender === a ? b : a],
        text: fresh(texts[t++ % texts.length]!),
      });
    }
  }
  const bytes = heapBytes() - before;
  return { bytes, engine };
}

/** Bundles this file with esbuild and runs its throughput passes under plain node. */
function bundledRates(corporaRoot: string): number[] | null {
  const self = fileURLToPath(import.meta.url);
  const outdir = fileURLToPath(new URL('./.build/', import.meta.url));
  mkdirSync(outdir, { recursive: true });
  const outfile = `${outdir}detection.bench.mjs`;
  return buildAndRun(self, outfile, corporaRoot);
}

function buildAndRun(entry: string, outfile: string, corporaRoot: string): number[] | null {
  // esbuild's build() is async; run it in a child so main() stays synchronous and simple.
  const built = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      '-e',
      `import('esbuild').then((e) => e.build({ entryPoints: [${JSON.stringify(entry)}], bundle: true, platform: 'node', format: 'esm', outfile: ${JSON.stringify(outfile)}, logLevel: 'error', external: ['esbuild'] }))`,
    ],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  if (built.status !== 0) return null;
  log('bundled run (plain node):');
  // The bundle lives in bench/.build/, so tell it where the corpora are.
  const env = { ...process.env, LIFEGUARD_CORPORA: corporaRoot };
  const run = spawnSync(process.execPath, [outfile, '--throughput-only'], {
    encoding: 'utf8',
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 20,
  });
  const last = run.stdout.trim().split('\n').pop() ?? '';
  try {
    return (JSON.parse(last) as { rates: number[] }).rates;
  } catch {
    return null;
  }
}

function main(): void {
  const loadStart = Date.now();
  const corpora = loadCorpusEvents('pairs');
  if (!corpora) {
    finish(
      `### ${TITLE}\n\nSkipped: corpora not found (expected ../shared/corpora with irc/ and topical-chat/, or $LIFEGUARD_CORPORA).\n`,
    );
    return;
  }
  // Time order across both corpora, as a live platform would deliver them.
  const events = [...corpora.irc, ...corpora.topicalChat].sort((x, y) => (x.time as number) - (y.time as number));
  const bytesOfText = events.reduce((n, e) => n + Buffer.byteLength(e.text), 0);
  log(
    `loaded ${events.length} messages (${(bytesOfText / 1e6).toFixed(1)} MB of text) in ${Date.now() - loadStart} ms`,
  );

  // Warm-up: lets the JIT settle before timing.
  pass(events);
  const rates: number[] = [];
  let last: DetectionEngine | null = null;
  for (let r = 0; r < REPETITIONS; r++) {
    const { seconds, engine } = pass(events);
    rates.push(events.length / seconds);
    last = engine;
    log(`  pass ${r + 1}: ${fmt(events.length / seconds)} msg/s`);
  }
  const rate = median(rates);
  const stats = last!.stats();
  last = null;
  if (THROUGHPUT_ONLY) {
    console.log(JSON.stringify({ rates }));
    return;
  }
  const bundled = bundledRates(corpora.root);
  const bundledRate = bundled ? median(bundled) : null;

  // Memory: natural corpus conversations (the events themselves are held in both readings).
  const baseline = heapBytes();
  const natural = pass(events).engine;
  const naturalBytes = heapBytes() - baseline;
  const naturalStats = natural.stats();
  const naturalPerConversation = naturalBytes / naturalStats.conversations;
  void natural.stats();

  // Memory: many synthetic conversations; the slope between two sizes is the marginal cost,
  // free of fixed costs and of the user pool.
  const texts = events.map((e) => e.text);
  const synthetic: { conversations: number; bytes: number; actors: number }[] = [];
  for (const n of SYNTHETIC_CONVERSATIONS) {
    const { bytes, engine } = syntheticHeap(texts, n);
    synthetic.push({ conversations: n, bytes, actors: engine.stats().actors });
    log(`  ${fmt(n)} synthetic conversations: ${fmt(bytes / n)} bytes each (${fmt(engine.stats().actors)} users)`);
  }
  const [small, large] = synthetic as [(typeof synthetic)[0], (typeof synthetic)[0]];
  const marginal = (large.bytes - small.bytes) / (large.conversations - small.conversations);
  const average = large.bytes / large.conversations;
  void natural;

  const ok = (pass: boolean) => (pass ? 'met' : 'NOT met');
  const markdown = [
    `### ${TITLE}`,
    '',
    `Real everyday chat: ${fmt(corpora.irc.length)} IRC messages and ${fmt(corpora.topicalChat.length)} Topical-Chat turns ` +
      `(${fmt(events.length)} messages, ${(bytesOfText / 1e6).toFixed(1)} MB of text, ${fmt(stats.conversations)} conversations, ${fmt(stats.actors)} users).`,
    '',
    '| measure | value | goal | |',
    '|---|---:|---:|---|',
    bundled && bundledRate !== null
      ? `| throughput, whole pipeline, one core, bundled JS under plain node (median of ${REPETITIONS}; slowest / fastest ${fmt(Math.min(...bundled))} / ${fmt(Math.max(...bundled))}) | ${fmt(bundledRate)} msg/s | ≥ ${fmt(THROUGHPUT_GOAL)} msg/s | ${ok(bundledRate >= THROUGHPUT_GOAL)} |`
      : '| throughput, bundled JS under plain node | not measured (esbuild bundle failed) | | |',
    `| throughput, whole pipeline, one core, under tsx as the CLI runs it (median of ${REPETITIONS}; slowest / fastest ${fmt(Math.min(...rates))} / ${fmt(Math.max(...rates))}) | ${fmt(rate)} msg/s | | ratio tsx / bundled ${bundledRate ? (rate / bundledRate).toFixed(2) : '–'} |`,
    `| state per conversation, marginal (${fmt(small.conversations)} → ${fmt(large.conversations)} synthetic conversations, ${MESSAGES_PER_SYNTHETIC_CONVERSATION} messages each) | ${fmt(marginal)} bytes | < ${fmt(MEMORY_GOAL)} bytes | ${ok(marginal < MEMORY_GOAL)} |`,
    `| state per conversation, average incl. ${fmt(large.actors)} users (${fmt(large.conversations)} synthetic conversations) | ${fmt(average)} bytes | | |`,
    `| state per conversation, natural corpus conversations (${fmt(naturalStats.conversations)}, incl. ${fmt(naturalStats.actors)} users) | ${fmt(naturalPerConversation)} bytes | | |`,
    '',
    'Method: corpus files are parsed into validated events in memory first (not timed); each timed pass builds a fresh ' +
      '`DetectionEngine`, calls `process()` on every message in time order (normalisation, signals, state update, scores) ' +
      "and then reads every conversation's final score. Memory is heap used plus array buffers after forced GC, engine " +
      'holding its state, minus the same reading before it was created; synthetic conversations reuse corpus texts as fresh ' +
      'strings with new ids, so everything the engine keeps is counted. IRC is cut into 1:1 conversations by addressee ' +
      '(see bench/corpora.ts).',
  ].join('\n');
  finish(markdown);
}

main();
