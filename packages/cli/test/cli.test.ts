// End-to-end: spawns the real `lifeguard` binary on the shipped examples.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fixture, tempFile } from './helpers.ts';

const root = new URL('../../../', import.meta.url).pathname;
const bin = new URL('../bin/lifeguard.mjs', import.meta.url).pathname;

function lifeguard(...args: string[]) {
  const result = spawnSync(process.execPath, [bin, ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('lifeguard scan', () => {
  it('explains the risky conversation in the grooming example with quoted evidence and message ids', () => {
    const { code, stdout } = lifeguard('scan', 'examples/grooming-scenario.jsonl');
    assert.equal(code, 0);
    assert.match(stdout, /conversation dm-mia-rick/);
    assert.match(stdout, /suspect: rick_j/);
    assert.match(stdout, /evidence/);
    assert.match(stdout, /\[m\d+\] .* rick_j: "[^"]+"/);
    // The two 14-year-old friends are not listed as risky.
    assert.doesNotMatch(stdout, /conversation dm-sam-zoe/);
  });

  it('shows terminal escape sequences from an input file on stderr as visible text, never raw', () => {
    const evil = tempFile(
      'escapes\u001b]0;pwned\u0007.jsonl',
      '{"type":"message","id":"\u001b[2J\u001b[31mred","time":0}\n\u001b[2Jnot json\u009b31m\n',
    );
    const { stderr } = lifeguard('scan', evil);
    assert.ok(
      !/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/.test(stderr),
      `no control character reaches the terminal: ${JSON.stringify(stderr)}`,
    );
    assert.match(stderr, /\\x1b\[2J/, 'the escape is shown as text');
    assert.match(stderr, /escapes\\x1b\]0;pwned\\x07\.jsonl:2: /, 'so is one in the file name');
    const missing = lifeguard('scan', 'no-such-\u001b[2J.jsonl');
    assert.ok(
      !missing.stderr.includes('\u001b'),
      `a missing file's name is shown safely too: ${JSON.stringify(missing.stderr)}`,
    );
  });

  it('prints one JSON document with --json', () => {
    const { code, stdout } = lifeguard('scan', 'examples/grooming-scenario.jsonl', '--json');
    assert.equal(code, 0);
    const output = JSON.parse(stdout) as {
      completed: boolean;
      conversations: { conversationId: string; evidence: unknown[] }[];
      summary: { events: number };
    };
    assert.equal(output.completed, true);
    assert.equal(output.summary.events, 30);
    assert.equal(output.conversations[0]?.conversationId, 'dm-mia-rick');
    assert.ok(output.conversations[0]!.evidence.length > 0, 'the flagged conversation carries its evidence');
  });

  it('reports every bad line of bad.jsonl on stderr with its line number, finishes, and exits 0', () => {
    const { code, stdout, stderr } = lifeguard('scan', 'examples/bad.jsonl');
    assert.equal(code, 0);
    assert.match(stderr, /^examples\/bad\.jsonl:3: invalid JSON/m);
    assert.match(stderr, /^examples\/bad\.jsonl:7: invalid event: text: /m);
    assert.match(stderr, /^examples\/bad\.jsonl:5: invalid event: type: unknown event type "reaction"/m);
    assert.match(stdout, /9 records skipped/);
  });

  it('exits 2 for a missing file', () => {
    const { code, stderr } = lifeguard('scan', 'examples/no-such-file.jsonl');
    assert.equal(code, 2);
    assert.match(stderr, /no-such-file\.jsonl: file not found/);
  });

  it('exits 2 on unusable input but still prints what was read before it', () => {
    const head =
      '<conversations><conversation id="t">\n<message line="1"><author>a</author><time>01:00</time><text>hello</text></message>\n';
    const path = tempFile('binary-tail.xml', Buffer.concat([Buffer.from(head), Buffer.alloc(1024, 0)]));
    const { code, stdout, stderr } = lifeguard('scan', path, '--json');
    assert.equal(code, 2);
    assert.match(stderr, /binary data/);
    const output = JSON.parse(stdout) as { completed: boolean; summary: { events: number } };
    assert.equal(output.completed, false);
    assert.equal(output.summary.events, 1);
  });

  it('reads PAN XML, naming the line of a malformed message', () => {
    const { code, stderr, stdout } = lifeguard('scan', fixture('pan-broken.xml'));
    assert.equal(code, 0);
    assert.match(stderr, /pan-broken\.xml:4: malformed XML in message/);
    assert.match(stdout, /3 events read, 2 skipped/);
  });

  it('scans the PAN sample and lists the sextortion conversation but not the friends swapping handles', () => {
    const { code, stdout } = lifeguard('scan', 'examples/pan-sample.xml', '--json');
    assert.equal(code, 0);
    const ids = (JSON.parse(stdout) as { conversations: { conversationId: string }[] }).conversations.map(
      (c) => c.conversationId,
    );
    assert.ok(ids.includes('sample-sextortion'), 'the sextortion conversation is listed');
    assert.ok(!ids.includes('sample-friends'), 'the friends swapping handles are not listed');
  });

  it('rejects a min-score outside 0..1 as a usage error', () => {
    const { code, stderr } = lifeguard('scan', 'examples/grooming-scenario.jsonl', '--min-score', '7');
    assert.equal(code, 1);
    assert.match(stderr, /--min-score must be a number from 0 to 1/);
  });
});

describe('lifeguard schema', () => {
  it('prints the event JSON Schema', () => {
    const { code, stdout } = lifeguard('schema');
    assert.equal(code, 0);
    const schema = JSON.parse(stdout) as Record<string, unknown>;
    assert.match(JSON.stringify(schema), /conversationId/);
  });
});

describe('lifeguard eval and train', () => {
  it('evaluates the synthetic set with --json and finds offenders', () => {
    const { code, stdout } = lifeguard(
      'eval',
      'examples/eval/eval-set.xml',
      '--predators',
      'examples/eval/predators.txt',
      '--json',
    );
    assert.equal(code, 0);
    const result = JSON.parse(stdout) as {
      authors: { recall: number | null; offendersSeen: number };
      conversations: { rocAuc: number | null };
    };
    assert.ok(result.authors.offendersSeen > 0, 'the set has offenders to find');
    assert.ok((result.authors.recall ?? 0) > 0, 'some offenders are found');
    assert.ok(
      (result.conversations.rocAuc ?? 0) > 0.5,
      'harmful conversations rank above benign ones better than chance',
    );
  });

  it('trains a model that scan and eval can load', () => {
    const model = tempFile('model.json', '');
    const trained = lifeguard(
      'train',
      'examples/eval/eval-set.xml',
      '--predators',
      'examples/eval/predators.txt',
      '--out',
      model,
      '--json',
    );
    assert.equal(trained.code, 0, trained.stderr);
    const summary = JSON.parse(trained.stdout) as { rows: number; harmful: number };
    assert.ok(summary.rows > 0 && summary.harmful > 0, 'the model was trained on rows, some of them harmful');
    const scanned = lifeguard('scan', 'examples/grooming-scenario.jsonl', '--model', model, '--json');
    assert.equal(scanned.code, 0, scanned.stderr);
  });

  it('refuses a model file that is not a model', () => {
    const bad = tempFile('not-a-model.json', '{"version": 1, "weights": "heavy"}');
    const { code, stderr } = lifeguard('scan', 'examples/grooming-scenario.jsonl', '--model', bad);
    assert.equal(code, 2);
    assert.match(stderr, /not a usable model/);
  });
});

describe('lifeguard train from moderator labels', () => {
  it('trains on JSONL events with conversation labels', () => {
    const events = tempFile(
      'train-events.jsonl',
      [
        ...Array.from({ length: 3 }, (_, i) =>
          JSON.stringify({
            type: 'message',
            id: `h${i}`,
            time: 1_700_000_000_000 + i * 60_000,
            conversationId: `harm-${i}`,
            senderId: `adult${i}`,
            recipientIds: [`kid${i}`],
            text: "how old are you? don't tell your parents we talk, add me on snap",
          }),
        ),
        ...Array.from({ length: 3 }, (_, i) =>
          JSON.stringify({
            type: 'message',
            id: `b${i}`,
            time: 1_700_000_000_000 + i * 60_000,
            conversationId: `ok-${i}`,
            senderId: `friend${i}`,
            recipientIds: [`mate${i}`],
            text: 'see you at practice at five',
          }),
        ),
      ].join('\n'),
    );
    const labels = tempFile(
      'train-labels.jsonl',
      `${[0, 1, 2]
        .flatMap((i) => [
          `{"conversationId":"harm-${i}","label":"harmful"}`,
          `{"conversationId":"ok-${i}","label":"benign"}`,
        ])
        .join('\n')}\n{"conversationId":"never-seen","label":"benign"}\n`,
    );
    const model = tempFile('labels-model.json', '');
    const { code, stdout, stderr } = lifeguard('train', events, '--labels', labels, '--out', model, '--json');
    assert.equal(code, 0, stderr);
    const summary = JSON.parse(stdout) as { rows: number; harmful: number; benign: number; labelledButUnseen: number };
    assert.deepEqual([summary.rows, summary.harmful, summary.benign, summary.labelledButUnseen], [6, 3, 3, 1]);
    assert.equal(
      (JSON.parse(readFileSync(model, 'utf8')) as { id?: string }).id,
      undefined,
      'no --id: the model has no id of its own',
    );
    const named = tempFile('named-model.json', '');
    const again = lifeguard(
      'train',
      events,
      '--labels',
      labels,
      '--out',
      named,
      '--id',
      'acme-2026-12',
      '--model',
      model,
    );
    assert.equal(again.code, 0, again.stderr);
    assert.equal(
      (JSON.parse(readFileSync(named, 'utf8')) as { id?: string }).id,
      'acme-2026-12',
      '--id names the model',
    );
    const blank = lifeguard('train', events, '--labels', labels, '--out', tempFile('never2.json', ''), '--id', ' ');
    assert.equal(blank.code, 2, 'a blank --id is refused');
    assert.match(blank.stderr, /--id must be 1 to 200 characters/);
  });

  it('refuses to train without both classes', () => {
    const labels = tempFile('one-class.jsonl', '{"conversationId":"dm-mia-rick","label":"harmful"}\n');
    const { code, stderr } = lifeguard(
      'train',
      'examples/grooming-scenario.jsonl',
      '--labels',
      labels,
      '--out',
      tempFile('never.json', ''),
    );
    assert.equal(code, 2);
    assert.match(stderr, /need both harmful and benign/);
  });
});

describe('lifeguard --help', () => {
  it('lists its own commands and those of the image and service packages present in this checkout', async () => {
    const { existsSync } = await import('node:fs');
    const { code, stdout } = lifeguard('--help');
    assert.equal(code, 0);
    for (const name of ['scan', 'eval', 'train', 'schema']) assert.match(stdout, new RegExp(`^  ${name}\\b`, 'm'));
    if (existsSync(`${root}packages/pdq/src/cli.ts`)) assert.match(stdout, /^ {2}hash\b/m);
    if (existsSync(`${root}packages/service/src/cli.ts`)) assert.match(stdout, /^ {2}serve\b/m);
  });
});
