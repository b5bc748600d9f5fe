// Cutting message text at evidence offsets (the part of highlighting that needs no browser).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pieces, spanLabel } from '../src/views/spans.ts';
import type { Span } from '../src/types.ts';

const span = (start: number, end: number, signal = 'secrecy', stage: string | null = 'isolation'): Span => ({
  start,
  end,
  signal,
  stage,
  label: signal,
});

test('pieces put the text back together exactly and mark only the span', () => {
  const text = 'lets keep this between us ok? they wouldnt get it';
  const out = pieces(text, [span(5, 25)]);
  assert.equal(out.map((p) => p.text).join(''), text);
  assert.deepEqual(
    out.map((p) => [p.text, p.spans.length]),
    [
      ['lets ', 0],
      ['keep this between us', 1],
      [' ok? they wouldnt get it', 0],
    ],
  );
  assert.deepEqual(
    out[1]!.ending.map((s) => s.signal),
    ['secrecy'],
  );
});

test('overlapping spans split into pieces covered by one or both, each labelled where it ends', () => {
  const text = 'add me on snap its easier';
  const out = pieces(text, [span(0, 14, 'platform_move', 'platform_move'), span(10, 25, 'secrecy')]);
  assert.deepEqual(
    out.map((p) => [p.text, p.spans.map((s) => s.signal)]),
    [
      ['add me on ', ['platform_move']],
      ['snap', ['platform_move', 'secrecy']],
      [' its easier', ['secrecy']],
    ],
  );
  assert.deepEqual(
    out.map((p) => p.ending.map((s) => s.signal)),
    [[], ['platform_move'], ['secrecy']],
  );
});

test('markup in message text stays text in the pieces', () => {
  const text = 'look <script>window.__pwned=1</script> <img src=x onerror="x()">';
  const out = pieces(text, [span(5, 13, 'gift', null)]);
  assert.equal(out[1]!.text, '<script>');
  assert.equal(out.map((p) => p.text).join(''), text);
});

test('spans outside the text are clipped or dropped instead of breaking the message', () => {
  const text = 'im 13';
  const out = pieces(text, [
    span(3, 40, 'age_disclosure_minor', null),
    span(9, 12),
    span(-2, 1),
    span(4, 4),
    span(1.5, 3),
  ]);
  assert.deepEqual(
    out.map((p) => [p.text, p.spans.length]),
    [
      ['im ', 0],
      ['13', 1],
    ],
  );
  assert.deepEqual(pieces('', [span(0, 3)]), []);
});

test('a span label names the signal and the stage', () => {
  assert.equal(
    spanLabel({ start: 0, end: 1, signal: 'age_probe', stage: 'risk_assessment', label: 'asks age' }),
    'asks age · risk assessment',
  );
  assert.equal(spanLabel({ start: 0, end: 1, signal: 'age_probe', stage: null, label: '' }), 'age probe');
});

test('the same match given twice is highlighted and labelled once', () => {
  const out = pieces('im 13', [span(0, 5, 'age_disclosure_minor', null), span(0, 5, 'age_disclosure_minor', null)]);
  assert.equal(out.length, 1);
  assert.equal(out[0]!.ending.length, 1);
});
