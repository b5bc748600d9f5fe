// Chat-export import: how fast `lifeguard scan` turns an export into events (layout detection,
// parsing, time ordering and event validation; the detection engine is measured in detection.bench).
//
//   node --expose-gc --import tsx bench/exports.bench.ts [messages]
//
// The exports are generated here: a WhatsApp Android .txt, the same chat zipped, and a
// DiscordChatExporter JSON file, each with the same number of benign messages.
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openInput } from '../packages/cli/src/input/source.ts';
import { makeZip } from '../packages/cli/test/exports/samples.ts';

const MESSAGES = Number(process.argv[2] ?? 200_000);
const RUNS = 3;
const LINES = [
  'hey whats up',
  'not much, just finished homework',
  'did u see the match',
  'yeah it was so good',
  'ok see u tmrw at school',
  'lol same',
];
const T0 = Date.UTC(2024, 0, 1);
const p2 = (n: number) => String(n).padStart(2, '0');

function whatsappText(): string {
  const out: string[] = [];
  for (let i = 0; i < MESSAGES; i++) {
    const d = new Date(T0 + i * 30_000);
    const who = i % 2 === 0 ? 'Alex' : 'Sam';
    out.push(
      `${p2(d.getUTCDate())}/${p2(d.getUTCMonth() + 1)}/${d.getUTCFullYear()}, ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())} - ${who}: ${LINES[i % LINES.length]}`,
    );
  }
  return `${out.join('\n')}\n`;
}

function discordJson(): string {
  const messages = [];
  for (let i = 0; i < MESSAGES; i++) {
    const who = i % 2 === 0 ? { id: '1', name: 'Alex' } : { id: '2', name: 'Sam' };
    messages.push({
      id: String(10_000 + i),
      type: 'Default',
      timestamp: new Date(T0 + i * 30_000).toISOString(),
      content: LINES[i % LINES.length],
      author: who,
      attachments: [],
    });
  }
  return JSON.stringify(
    { guild: { id: '0', name: 'Direct Messages' }, channel: { id: '9', name: 'Alex & Sam' }, messages },
    null,
    2,
  );
}

async function timeRead(path: string): Promise<{ ms: number; events: number }> {
  let best = Infinity;
  let events = 0;
  for (let run = 0; run < RUNS; run++) {
    (globalThis as { gc?: () => void }).gc?.();
    const started = performance.now();
    const input = await openInput(path, {
      file: path,
      onIssue: (i) => {
        throw new Error(i.message);
      },
    });
    let n = 0;
    for await (const batch of input.items) n += batch.length;
    best = Math.min(best, performance.now() - started);
    events = input.stats.events;
    if (n < events) throw new Error('events missing');
  }
  return { ms: best, events };
}

const dir = mkdtempSync(join(tmpdir(), 'lifeguard-exports-bench-'));
try {
  const txt = join(dir, 'WhatsApp Chat with Sam.txt');
  writeFileSync(txt, whatsappText());
  const zip = join(dir, 'WhatsApp Chat - Sam.zip');
  writeFileSync(
    zip,
    makeZip([{ name: '_chat.txt', data: whatsappText().replace(/^(\S+), (\S+) - /gm, '[$1, $2:00] ') }]),
  );
  const json = join(dir, 'discord.json');
  writeFileSync(json, discordJson());
  const rows: string[] = [];
  for (const [what, path] of [
    ['WhatsApp Android .txt', txt],
    ['WhatsApp iOS .zip', zip],
    ['Discord JSON', json],
  ] as const) {
    const { ms, events } = await timeRead(path);
    const mb = statSync(path).size / 1024 / 1024;
    process.stderr.write(`${what}: ${events} events in ${ms.toFixed(0)} ms\n`);
    rows.push(
      `| ${what} | ${mb.toFixed(1)} MiB | ${events.toLocaleString('en-US')} | ${(ms / 1000).toFixed(2)} s | ${Math.round(events / (ms / 1000)).toLocaleString('en-US')} |`,
    );
  }
  const markdown = [
    `Reading a chat export into validated events, before the detection engine (best of ${RUNS}; \`node --expose-gc --import tsx bench/exports.bench.ts ${MESSAGES}\`).`,
    '',
    '| export | size on disk | messages | time | messages/s |',
    '|---|---|---|---|---|',
    ...rows,
  ].join('\n');
  console.log(JSON.stringify({ title: 'Chat-export import', markdown }));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
