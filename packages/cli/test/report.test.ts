// The HTML triage report: what it holds for a reviewer, and that nothing from the export can run
// in it or make it fetch anything.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildReport } from '../src/commands/report.ts';
import { downsample, riskChart } from '../src/report/chart.ts';
import { escapeHtml, highlight } from '../src/report/escape.ts';
import { renderReport } from '../src/report/html.ts';
import { tempFile } from './helpers.ts';
import { ADULT, CHILD, GROOMING, whatsapp } from './exports/samples.ts';

const HOSTILE = '<script>alert(1)</script><img src=x onerror=alert(2)> \u202eevil';
const OPTIONS = { format: 'auto' as const, minScore: 0.5, limit: 20, progress: false, maxErrors: 50 };

async function sampleReport(ages: [string, number][] = [[CHILD, 13]]) {
  const chat = whatsapp('android-gb', [...GROOMING, [1370, ADULT, HOSTILE]]);
  const path = tempFile('WhatsApp Chat with Rick J.txt', chat);
  const data = await buildReport(path, { ...OPTIONS, ages: new Map(ages) }, null);
  return { data, html: renderReport(data) };
}

describe('triage report data', () => {
  it('holds the conversation with participants, declared ages, stages and a score after every message', async () => {
    const { data } = await sampleReport();
    assert.equal(data.format, 'whatsapp', 'layout');
    assert.equal(data.conversations.length, 1, 'one conversation');
    const c = data.conversations[0]!;
    assert.equal(c.messages.length, GROOMING.length + 3, 'every message in the timeline');
    assert.ok(
      c.risk.length >= 3 && c.risk.length <= c.messages.length,
      `a risk point where the score changes (${c.risk.length})`,
    );
    assert.ok(
      c.risk.every((p, i) => i === 0 || p.score !== c.risk[i - 1]!.score || i === c.risk.length - 1),
      'no repeated point but the last',
    );
    assert.equal(c.risk[c.risk.length - 1]!.time, c.report.lastAt, 'the line reaches the last message');
    assert.ok(c.risk[c.risk.length - 1]!.score > c.risk[0]!.score, 'risk rises over the conversation');
    const mia = c.report.participants.find((p) => p.userId === CHILD);
    assert.equal(mia?.age, 13, 'the declared age reaches the engine');
    assert.equal(mia?.ageSource, 'declared', 'as declared, not guessed');
    assert.ok(
      c.report.stagesReached.includes('platform_move'),
      `stages reached include the move to snap: ${c.report.stagesReached}`,
    );
  });

  it('marks flagged messages with the spans the engine matched', async () => {
    const { data } = await sampleReport();
    const c = data.conversations[0]!;
    const secret = c.messages.find((m) => m.text.includes('its our secret'))!;
    assert.ok(
      secret.signals.some((s) => s.kind === 'secrecy'),
      'secrecy signal on that message',
    );
    for (const s of secret.signals)
      assert.equal(secret.text.slice(s.start, s.end), s.excerpt, `span ${s.start}-${s.end} is the excerpt`);
    assert.equal(c.flaggedCount, c.messages.filter((m) => m.signals.length > 0).length, 'flagged count matches');
  });

  it('warns when a name given with --age is not in the export', async () => {
    const { data } = await sampleReport([['Mya', 13]]);
    assert.ok(
      data.issues.some((i) => /--age Mya=13: nobody called "Mya"/.test(i)),
      `warning listed: ${data.issues.join(' | ')}`,
    );
  });
});

describe('triage report HTML', () => {
  it('is one self-contained file: a CSP that forbids fetching and scripts, no URL, no image, no script', async () => {
    const { html } = await sampleReport();
    assert.match(
      html,
      /Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"/,
      'CSP',
    );
    const active = /<script|<img|<iframe|<link|https?:\/\//i.exec(html);
    assert.equal(active, null, `nothing active or remote, found ${active?.[0]}`);
    assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/, 'hostile text shown escaped');
    assert.match(html, /&lt;U\+202E&gt;evil/, 'a bidi override is shown, not obeyed');
  });

  it('shows media as placeholders, the risk chart, the stages and the reasons', async () => {
    const { html } = await sampleReport();
    assert.match(html, /<span class="media">\[file not shown\]<\/span>/, 'media placeholder');
    assert.match(html, /<svg class="risk-chart"[^>]*role="img"/, 'inline SVG chart');
    assert.match(html, /<path class="risk" d="M[\d.]+,[\d.]+ H/, 'a step line');
    assert.match(html, /<li class="reached">move to another platform<\/li>/, 'stage reached');
    assert.match(html, /<mark title="secrecy[^"]*">its our secret<\/mark>/, 'span highlighted with its kind');
    assert.match(html, /Mia<\/td><td>13 \(declared with --age\)/, 'declared age in the participants');
  });

  it('escapes and merges overlapping spans', () => {
    assert.equal(
      highlight('a <b> c', [{ start: 2, end: 5, label: 'x' }]),
      'a <mark title="x">&lt;b&gt;</mark> c',
      'escaped inside a mark',
    );
    assert.equal(
      highlight('abcdef', [
        { start: 0, end: 3, label: 'x' },
        { start: 2, end: 5, label: 'y' },
      ]),
      '<mark title="x, y">abcde</mark>f',
      'overlaps merged',
    );
    assert.equal(highlight('abc', [{ start: 2, end: 9, label: 'x' }]), 'abc', 'a span outside the text is ignored');
    assert.equal(escapeHtml(`"'&`), '&quot;&#39;&amp;', 'quotes and ampersands');
  });

  it('keeps peaks when a long series is thinned for the chart', () => {
    const points = Array.from({ length: 5000 }, (_, i) => ({ time: i, score: i === 2345 ? 0.9 : 0.1 }));
    const thin = downsample(points);
    assert.ok(thin.length <= 600, `at most 600 points, got ${thin.length}`);
    assert.equal(Math.max(...thin.map((p) => p.score)), 0.9, 'the peak survives');
    assert.match(riskChart(points, { threshold: 0.5, label: 'x' }), /peak 0\.90/, 'the chart label names the peak');
  });
});
