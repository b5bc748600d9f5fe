// The learning loop as an operator runs it: cases decided in the store -> `lifeguard labels export` ->
// `lifeguard train` -> `lifeguard serve --model`, whose new cases name the trained model. Real SQLite
// file, real processes, the full `lifeguard` command.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_MODEL, eventSchema } from '@lifeguard/core';
import { openStorage } from '@lifeguard/storage';
import { buildServer, createKey } from '../src/index.ts';

const CLI = fileURLToPath(new URL('../../cli/bin/lifeguard.mjs', import.meta.url));
const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'lifeguard-loop-'));
const database = join(dir, 'lifeguard.db');
after(() => rmSync(dir, { recursive: true, force: true }));

function lifeguard(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** An adult grooming a 13-year-old (non-explicit indicators only), as events. */
function grooming(adult: string, child: string, t0: number, variant = 0) {
  const conversationId = `dm-${child}-${adult}`;
  const lines: [string, string][] = [
    [
      adult,
      ['hey saw ur drawing in the art group, ur really talented', 'hi! loved ur video, ur so good at this'][
        variant % 2
      ]!,
    ],
    [child, 'thanks who r u'],
    [adult, 'just a fan lol. how old r u?'],
    [child, '13'],
    [adult, 'ur so mature for 13. do ur parents check ur phone?'],
    [adult, 'lets keep this between us ok? delete our chat after'],
    [adult, 'add me on snap its easier there'],
    [adult, 'send me a pic of u so i know ur real. are u home alone after school?'],
  ];
  return [
    { type: 'account', id: `acc-${child}`, time: t0, userId: child, age: 13 },
    { type: 'account', id: `acc-${adult}`, time: t0, userId: adult, age: 36 },
    ...lines.map(([from, text], i) => ({
      type: 'message',
      id: `${conversationId}-${i}`,
      time: t0 + (i + 1) * 60_000,
      conversationId,
      senderId: from,
      recipientIds: [from === adult ? child : adult],
      text,
    })),
  ];
}

describe('the learning loop: labels export -> train -> serve --model', () => {
  let key = '';
  const labelsFile = join(dir, 'labels.jsonl');
  const eventsFile = join(dir, 'events.jsonl');
  const modelFile = join(dir, 'model.json');

  before(async () => {
    const storage = await openStorage({ database });
    key = (await createKey(storage, 'acme', 'ops', ['admin'])).key;
    const app = await buildServer({ storage, webhooks: false, console: false });
    await app.ready();
    const call = async (method: 'GET' | 'POST', url: string, payload?: object) => {
      const res = await app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${key}` },
        ...(payload ? { payload } : {}),
      });
      assert.ok(res.statusCode < 300, `${method} ${url}: ${res.statusCode} ${res.body}`);
      return res.json();
    };
    const t0 = Date.now() - 6 * 3_600_000;
    await call('POST', '/v1/events', {
      events: [
        ...grooming('rick', 'mia', t0),
        ...grooming('dan', 'ella', t0 + 60_000, 1),
        ...grooming('coach_t', 'ruby', t0 + 120_000),
      ],
    });
    await app.lifeguard.engines.idle();
    const cases = (await call('GET', '/v1/cases?status=open')).cases as { id: string; accusedId: string }[];
    assert.deepEqual(cases.map((c) => c.accusedId).sort(), ['coach_t', 'dan', 'rick'], 'a case against each adult');
    // Moderators confirm two and dismiss one.
    for (const c of cases) {
      await call('POST', `/v1/cases/${c.id}/transitions`, { to: 'in_review' });
      await call(
        'POST',
        `/v1/cases/${c.id}/transitions`,
        c.accusedId === 'coach_t'
          ? { to: 'dismissed', note: 'coach, known to the family' }
          : { to: 'actioned', note: 'account removed' },
      );
    }
    await app.close();
    await storage.close();
  });

  it('exports actioned cases as harmful and dismissed ones as benign, with the events train needs, owner-only', async () => {
    const result = await lifeguard([
      'labels',
      'export',
      '--tenant',
      'acme',
      '--database',
      database,
      '--out',
      labelsFile,
      '--events',
      eventsFile,
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stdout,
      /3 labelled conversations \(2 harmful, 1 benign\) from 2 actioned and 1 dismissed cases/,
      result.stdout,
    );
    const labels = readFileSync(labelsFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.deepEqual(
      labels.map((l) => [l.conversationId, l.label]).sort(),
      [
        ['dm-ella-dan', 'harmful'],
        ['dm-mia-rick', 'harmful'],
        ['dm-ruby-coach_t', 'benign'],
      ],
      'one label per decided conversation',
    );
    assert.ok(
      labels.every((l) => l.modelId === 'default' && l.caseIds.length === 1),
      'each label says which case and model it came from',
    );
    const events = readFileSync(eventsFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    for (const e of events) assert.equal(eventSchema.safeParse(e).success, true, `a valid event: ${JSON.stringify(e)}`);
    assert.equal(events.filter((e) => e.type === 'message').length, 24, 'every message of the three conversations');
    assert.deepEqual(
      events
        .filter((e) => e.type === 'account')
        .map((e) => [e.userId, e.age])
        .sort(),
      [
        ['coach_t', 36],
        ['dan', 36],
        ['ella', 13],
        ['mia', 13],
        ['rick', 36],
        ['ruby', 13],
      ],
      'declared ages',
    );
    assert.ok(
      events.findIndex((e) => e.type === 'message') > events.findLastIndex((e) => e.type === 'account'),
      'ages come before the messages',
    );
    for (const f of [labelsFile, eventsFile])
      assert.equal(statSync(f).mode & 0o077, 0, `${f} is readable by its owner only`);
  });

  it('train accepts the export as it is', async () => {
    const result = await lifeguard([
      'train',
      eventsFile,
      '--labels',
      labelsFile,
      '--out',
      modelFile,
      '--json',
      '--no-progress',
    ]);
    assert.equal(result.code, 0, result.stderr);
    const summary = JSON.parse(result.stdout);
    assert.deepEqual(
      [summary.rows, summary.harmful, summary.benign, summary.labelledButUnseen],
      [3, 2, 1, 0],
      'all three labelled conversations were trained on',
    );
    const model = JSON.parse(readFileSync(modelFile, 'utf8'));
    assert.notDeepEqual(model.weights, DEFAULT_MODEL.weights, 'the weights moved');
  });

  it('serve --model scores with the trained model, and new cases name it', async () => {
    const child = spawn(
      process.execPath,
      [CLI, 'serve', '--port', '0', '--log-level', 'error', '--database', database, '--model', modelFile],
      { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    try {
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (c: Buffer) => {
          out += c.toString();
          const m = /listening on (http:\/\/\S+)/.exec(out);
          if (m) resolve(m[1]!);
        });
        child.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${out}`)));
      });
      const modelId = /model: (model-[0-9a-f]{8})/.exec(out)?.[1];
      assert.ok(modelId, `serve names the model it loaded: ${out}`);
      const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
      const ingest = await fetch(`${url}/v1/events`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ events: grooming('vic', 'tia', Date.now() - 3_600_000) }),
      });
      assert.equal(ingest.status, 200, await ingest.clone().text());
      const risk = (await (await fetch(`${url}/v1/conversations/dm-tia-vic/risk`, { headers })).json()) as {
        modelId: string;
      };
      assert.equal(risk.modelId, modelId, 'the live report names the trained model');
      let caseId: string | undefined;
      for (let i = 0; i < 50 && !caseId; i++) {
        const list = (await (await fetch(`${url}/v1/cases?accusedId=vic`, { headers })).json()) as {
          cases: { id: string }[];
        };
        caseId = list.cases[0]?.id;
        if (!caseId) await new Promise((r) => setTimeout(r, 100));
      }
      assert.ok(caseId, 'a case opened against vic');
      const detail = (await (await fetch(`${url}/v1/cases/${caseId}`, { headers })).json()) as {
        case: { modelId: string; evidence: { alerts: { modelId: string }[] } };
      };
      assert.equal(detail.case.modelId, modelId, 'the case names the trained model');
      assert.ok(
        detail.case.evidence.alerts.every((a) => a.modelId === modelId),
        'so does each alert',
      );
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('serve refuses a model file it cannot use, naming the file and the problem', async () => {
    const bad = join(dir, 'bad-model.json');
    writeFileSync(bad, JSON.stringify({ ...DEFAULT_MODEL, weights: DEFAULT_MODEL.weights.slice(2) }));
    const result = await lifeguard(['serve', '--port', '0', '--database', join(dir, 'never.db'), '--model', bad]);
    assert.equal(result.code, 2, 'configuration error');
    assert.ok(result.stderr.includes(`refusing to start: model file ${bad}: invalid model:`), result.stderr);
    assert.doesNotMatch(result.stdout, /listening/, 'it never listened');
    const missingDir = await lifeguard([
      'serve',
      '--port',
      '0',
      '--database',
      join(dir, 'never.db'),
      '--model-dir',
      join(dir, 'no-such-dir'),
    ]);
    assert.equal(missingDir.code, 2, 'missing --model-dir');
    assert.match(missingDir.stderr, /--model-dir .*no-such-dir: directory not found/);
  });

  it('labels export refuses an unknown tenant, a bad date and one file for both outputs', async () => {
    const unknown = await lifeguard([
      'labels',
      'export',
      '--tenant',
      'nobody',
      '--database',
      database,
      '--out',
      join(dir, 'x.jsonl'),
    ]);
    assert.equal(unknown.code, 2, 'unknown tenant');
    assert.match(unknown.stderr, /no tenant "nobody" in this database/);
    const date = await lifeguard([
      'labels',
      'export',
      '--tenant',
      'acme',
      '--database',
      database,
      '--out',
      join(dir, 'x.jsonl'),
      '--since',
      'last week',
    ]);
    assert.equal(date.code, 2, 'bad --since');
    assert.match(date.stderr, /--since must be a date such as 2026-11-01/);
    const same = await lifeguard([
      'labels',
      'export',
      '--tenant',
      'acme',
      '--database',
      database,
      '--out',
      labelsFile,
      '--events',
      labelsFile,
    ]);
    assert.equal(same.code, 2, 'same file twice');
    assert.match(same.stderr, /--out and --events must be different files/);
    const future = await lifeguard([
      'labels',
      'export',
      '--tenant',
      'acme',
      '--database',
      database,
      '--out',
      join(dir, 'none.jsonl'),
      '--since',
      '2999-01-01',
    ]);
    assert.equal(future.code, 0, future.stderr);
    assert.match(future.stdout, /0 labelled conversations/, 'nothing decided since then');
    assert.match(future.stderr, /needs both harmful and benign/, 'says train cannot use it');
  });
});
