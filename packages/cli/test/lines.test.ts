import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { splitLines, type LineRecord } from '../src/input/lines.ts';
import { chunksOf } from './helpers.ts';

async function collect(chunks: AsyncIterable<Uint8Array>, max = 1024): Promise<LineRecord[]> {
  const out: LineRecord[] = [];
  for await (const batch of splitLines(chunks, max)) out.push(...batch);
  return out;
}

describe('splitLines', () => {
  it('numbers lines across chunk boundaries and keeps a last line without newline', async () => {
    const lines = await collect(chunksOf('fir', 'st\nsec', 'ond\r\n', '\nlast'));
    assert.deepEqual(
      lines.map((l) => [l.line, l.text]),
      [
        [1, 'first'],
        [2, 'second'],
        [3, ''],
        [4, 'last'],
      ],
    );
  });

  it('drops an over-long line but keeps counting lines after it', async () => {
    const lines = await collect(chunksOf('ok\n', 'x'.repeat(30), 'y'.repeat(30), '\nafter\n'), 50);
    assert.equal(lines[1]!.text, null);
    assert.equal(lines[1]!.bytes, 60);
    assert.deepEqual([lines[2]!.line, lines[2]!.text], [3, 'after']);
  });

  it('decodes a multi-byte character split between chunks', async () => {
    const bytes = Buffer.from('é\n');
    const lines = await collect(chunksOf(bytes.subarray(0, 1), bytes.subarray(1)));
    assert.equal(lines[0]!.text, 'é');
  });

  it('strips a byte-order mark from the first line only', async () => {
    const lines = await collect(chunksOf('\uFEFF{"a":1}\n\uFEFFx'));
    assert.equal(lines[0]!.text, '{"a":1}');
    assert.equal(lines[1]!.text, '\uFEFFx');
  });
});
