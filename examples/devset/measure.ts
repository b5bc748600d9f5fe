// Measures detection on the development corpus written blind by independent writers (see
// README.md beside this file) and, with --write, rewrites the results block of docs/evaluation.md.
//
//   node --import tsx examples/devset/measure.ts                 tune and held-out figures
//   node --import tsx examples/devset/measure.ts --misses        the tuning writers' missed and false-flagged conversations
//   node --import tsx examples/devset/measure.ts --tuning        the tuning figures only (while changing the detector)
//   node --import tsx examples/devset/measure.ts --write         also rewrite the block in docs/evaluation.md
//   node --import tsx examples/devset/measure.ts --export DIR    write both splits as lifeguard input (train / eval)
//
// Tuning reads only the tuning writers; the held-out writers' texts are never printed.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DetectionEngine, type LifeguardEventInput } from '@lifeguard/core';
import { evaluate, type EvalResult } from '@lifeguard/cli';

/**
 * Rounds so far: w1–w3 tuned with w4–w5 held out; w6 written later and read once; then w1–w6
 * tuned with w7–w8 held out (third round); then w1–w8 tuned with w9–w10 held out (fourth).
 */
export const TUNE_WRITERS = [
  'w1',
  'w2',
  'w3',
  'w4',
  'w5',
  'w6',
  'w7',
  'w8',
  'w9',
  'w10',
  'w11',
  'w12',
  'w13',
  'w14',
  'w15',
  'w16',
];
export const HELD_OUT_WRITERS = ['w17', 'w18', 'w19'];
/** Written after the detector's last round of tuning, by a writer who never saw it: read once, at the end. */
export const FRESH_WRITERS: string[] = [];
const SKIP_FRESH = process.argv.includes('--no-fresh');
const THRESHOLD = 0.5;
const BASE = Date.parse('2026-01-05T15:00:00Z');

export interface DevParticipant {
  id: string;
  role: 'offender' | 'child' | 'peer' | 'adult';
  trueAge: number;
  accountAge: number | null;
  locale?: string;
}
export interface DevMessage {
  from: string;
  text: string;
  gapMinutes: number;
  attachment?: string;
}
export interface DevConversation {
  id: string;
  writer: string;
  label: 'harmful' | 'benign';
  family: string;
  setting: string;
  participants: DevParticipant[];
  messages: DevMessage[];
}

const here = new URL('.', import.meta.url).pathname;
const root = new URL('../../', import.meta.url).pathname;

/** Reads every writer's file (examples/devset/writers/*.jsonl, or DEVSET_DIR/<writer>/conversations.jsonl). */
export function loadDevset(): DevConversation[] {
  const dir = process.env.DEVSET_DIR;
  const files = dir
    ? readdirSync(dir)
        .filter((w) => /^w\d+$/.test(w))
        .map((w) => join(dir, w, 'conversations.jsonl'))
    : readdirSync(join(here, 'writers'))
        .filter((f) => f.endsWith('.jsonl'))
        .map((f) => join(here, 'writers', f));
  const out: DevConversation[] = [];
  for (const file of files.sort()) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n')) if (line.trim()) out.push(JSON.parse(line) as DevConversation);
  }
  return out;
}

/** The corpus as engine events: one conversation after another, accounts declared or not. */
export function devsetEvents(conversations: DevConversation[], declaredAges: boolean): LifeguardEventInput[] {
  const events: LifeguardEventInput[] = [];
  const declared = new Set<string>();
  conversations.forEach((c, index) => {
    let t = BASE + index * 7 * 60_000;
    if (declaredAges) {
      for (const p of c.participants) {
        if (p.accountAge === null || declared.has(p.id)) continue;
        declared.add(p.id);
        events.push({ type: 'account', id: `acct-${p.id}`, time: BASE - 86_400_000, userId: p.id, age: p.accountAge });
      }
    }
    c.messages.forEach((m, k) => {
      t += Math.round(m.gapMinutes * 60_000) + (k === 0 ? 0 : 1000);
      events.push({
        type: 'message',
        id: `${c.id}-m${k}`,
        time: t,
        conversationId: c.id,
        senderId: m.from,
        recipientIds: c.participants.filter((p) => p.id !== m.from).map((p) => p.id),
        text: m.text,
        ...(m.attachment ? { attachments: [{ kind: 'image' as const }] } : {}),
      });
    });
  });
  return events.sort((a, b) => (a.time as number) - (b.time as number));
}

interface SplitResult {
  split: string;
  mode: string;
  conversations: number;
  harmful: number;
  result: EvalResult;
}

async function measureSplit(name: string, conversations: DevConversation[], declared: boolean): Promise<SplitResult> {
  const dir = mkdtempSync(join(tmpdir(), 'lifeguard-devset-'));
  try {
    const events = join(dir, 'events.jsonl');
    writeFileSync(
      events,
      `${devsetEvents(conversations, declared)
        .map((e) => JSON.stringify(e))
        .join('\n')}\n`,
    );
    const predators = new Set(
      conversations.flatMap((c) => c.participants.filter((p) => p.role === 'offender').map((p) => p.id)),
    );
    writeFileSync(join(dir, 'predators.txt'), `${[...predators].join('\n')}\n`);
    writeFileSync(
      join(dir, 'labels.jsonl'),
      `${conversations.map((c) => JSON.stringify({ conversationId: c.id, label: c.label })).join('\n')}\n`,
    );
    const result = await evaluate(
      events,
      {
        predators: join(dir, 'predators.txt'),
        threshold: THRESHOLD,
        json: true,
        format: 'jsonl',
        progress: false,
        maxErrors: 5,
      },
      null,
    );
    return {
      split: name,
      mode: declared ? 'ages declared' : 'chat log alone',
      conversations: conversations.length,
      harmful: conversations.filter((c) => c.label === 'harmful').length,
      result,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const f2 = (x: number | null) => (x === null ? 'n/a' : x.toFixed(2));

function table(rows: SplitResult[]): string {
  const lines = [
    '| writers | ages | conversations (harmful) | author precision | author recall | offenders caught | children or adults wrongly named | conversation recall | benign flagged | median messages before alert | ROC-AUC |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of rows) {
    const a = r.result.authors!;
    const c = r.result.conversations;
    const benign = c.total - c.positive;
    lines.push(
      `| ${r.split} | ${r.mode} | ${r.conversations} (${r.harmful}) | ${f2(a.precision)} | ${f2(a.recall)} | ${a.truePositives} of ${a.offendersSeen} | ${a.falsePositives} | ${f2(c.recall)} | ${c.flagged - Math.round((c.recall ?? 0) * c.positive)} of ${benign} | ${c.medianMessagesBeforeAlert ?? 'n/a'} | ${f2(c.rocAuc)} |`,
    );
  }
  return lines.join('\n');
}

/** The tuning writers' misses and false flags, with the engine's reasons (never the held-out writers'). */
function misses(conversations: DevConversation[], declared: boolean): string {
  const engine = new DetectionEngine({ alertThreshold: THRESHOLD, actorAlertThreshold: THRESHOLD });
  const alerted = new Set<string>();
  for (const e of devsetEvents(conversations, declared)) {
    for (const a of engine.process(e as Parameters<DetectionEngine['process']>[0]))
      if (a.kind === 'conversation') alerted.add(a.subjectId);
  }
  const out: string[] = [];
  for (const c of conversations) {
    const report = engine.conversationReport(c.id)!;
    const offenders = new Set(c.participants.filter((p) => p.role === 'offender').map((p) => p.id));
    const hit = alerted.has(c.id) || report.score >= THRESHOLD;
    const wrongSuspect = hit && report.suspectId !== null && !offenders.has(report.suspectId);
    if ((c.label === 'harmful' && hit && !wrongSuspect) || (c.label === 'benign' && !hit)) continue;
    const what = c.label === 'harmful' ? (wrongSuspect ? 'WRONG SUSPECT' : 'MISSED') : 'FALSE FLAG';
    out.push(
      `\n## ${what} ${c.id} (${c.family}; ${c.setting}) score ${report.score} stages ${report.stagesReached.join(',')} suspect ${report.suspectId}`,
    );
    out.push(`   ${report.reasons.slice(0, 4).join(' | ')}`);
    for (const m of c.messages) {
      const p = c.participants.find((x) => x.id === m.from)!;
      out.push(`   ${p.role}${p.trueAge}: ${m.text}`);
    }
  }
  return out.join('\n');
}

/**
 * Writes each split as `lifeguard` input (events JSONL, with and without account events) and its
 * offender ids, for `lifeguard train --predators` and `lifeguard eval --predators`.
 */
function exportSplits(dir: string, splits: Record<string, DevConversation[]>): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, set] of Object.entries(splits)) {
    for (const declared of [true, false]) {
      const lines = devsetEvents(set, declared).map((e) => JSON.stringify(e));
      writeFileSync(join(dir, `${name}-${declared ? 'ages-declared' : 'chat-only'}.jsonl`), `${lines.join('\n')}\n`);
    }
    const offenders = new Set(set.flatMap((c) => c.participants.filter((p) => p.role === 'offender').map((p) => p.id)));
    writeFileSync(join(dir, `${name}-offenders.txt`), `${[...offenders].join('\n')}\n`);
  }
  console.log(`wrote ${Object.keys(splits).join(' and ')} to ${dir}`);
}

async function main(): Promise<void> {
  const all = loadDevset();
  const tune = all.filter((c) => TUNE_WRITERS.includes(c.writer));
  const held = all.filter((c) => HELD_OUT_WRITERS.includes(c.writer));
  const fresh = all.filter((c) => FRESH_WRITERS.includes(c.writer));
  if (process.argv.includes('--misses')) {
    console.log(misses(tune, !process.argv.includes('--chat-only')));
    return;
  }
  const exportAt = process.argv.indexOf('--export');
  if (exportAt >= 0) {
    exportSplits(process.argv[exportAt + 1] ?? 'devset-export', { tuning: tune, heldout: held });
    return;
  }
  const started = Date.now();
  const rows: SplitResult[] = [];
  const splits: [string, DevConversation[]][] = [[`tuning (${TUNE_WRITERS.join(', ')})`, tune]];
  if (!process.argv.includes('--tuning')) {
    splits.push([`held out (${HELD_OUT_WRITERS.join(', ')})`, held]);
    if (fresh.length > 0 && !SKIP_FRESH) splits.push([`held out, written later (${FRESH_WRITERS.join(', ')})`, fresh]);
  }
  for (const [name, set] of splits) {
    for (const declared of [true, false]) rows.push(await measureSplit(name, set, declared));
  }
  const text = table(rows);
  console.log(text);
  if (process.argv.includes('--write')) {
    const doc = join(root, 'docs/evaluation.md');
    const body = readFileSync(doc, 'utf8');
    const start = '<!-- devset:start (written by examples/devset/measure.ts; do not edit by hand) -->';
    const end = '<!-- devset:end -->';
    const block = `${start}\n_Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC with \`node --import tsx examples/devset/measure.ts --write\` (${((Date.now() - started) / 1000).toFixed(0)} s), default model, threshold ${THRESHOLD}._\n\n${text}\n${end}`;
    const i = body.indexOf(start);
    const j = body.indexOf(end);
    if (i < 0 || j < 0) throw new Error('docs/evaluation.md has no devset block markers');
    writeFileSync(doc, body.slice(0, i) + block + body.slice(j + end.length));
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
