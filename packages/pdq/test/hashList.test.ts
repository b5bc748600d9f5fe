import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseHashList } from '../src/pure.ts';

const PDQ = 'f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22';
const MD5 = '0123456789abcdef0123456789abcdef';
const SHA = 'a'.repeat(64);

describe('hash list parser', () => {
  it('reads bare hashes, kind prefixes, hash= and metadata after a comma, tab or space', () => {
    const text = [
      `${PDQ}`,
      `pdq:${PDQ.toUpperCase()},case 17, category B`,
      `md5:${MD5}\tfrom list X`,
      `${MD5}`,
      `sha256:${SHA} some note`,
      `hash=${PDQ},quality 100`,
    ].join('\n');
    const r = parseHashList(text);
    assert.equal(r.errorCount, 0);
    assert.deepEqual(
      r.entries.map((e) => [e.line, e.kind, e.hash, e.meta]),
      [
        [1, 'pdq', PDQ, undefined],
        [2, 'pdq', PDQ, 'case 17, category B'],
        [3, 'md5', MD5, 'from list X'],
        [4, 'md5', MD5, undefined],
        [5, 'sha256', SHA, 'some note'],
        [6, 'pdq', PDQ, 'quality 100'],
      ],
    );
  });

  it('treats bare 64-digit hashes as SHA-256 when told the list is SHA-256', () => {
    const r = parseHashList(`${SHA}\n`, { defaultKind: 'sha256' });
    assert.equal(r.entries[0]?.kind, 'sha256');
  });

  it('skips blank lines, comments, a header row, CRLF line ends and a byte-order mark', () => {
    const r = parseHashList(`\ufeffhash,label\r\n# exported 2026\r\n\r\n${PDQ},x\r\n`);
    assert.equal(r.errorCount, 0);
    assert.equal(r.entries.length, 1);
    assert.equal(r.entries[0]?.line, 4);
    assert.equal(r.entries[0]?.meta, 'x');
    assert.equal(r.ignored, 3);
  });

  it('names the line of every malformed entry and keeps the good ones', () => {
    const text = [
      PDQ,
      'not-a-hash',
      PDQ.slice(0, 60),
      `sha1:${MD5}`,
      `md5:${PDQ}`,
      `${PDQ},bad\u0007meta`,
      'hash,label',
    ].join('\n');
    const r = parseHashList(text);
    assert.equal(r.entries.length, 1);
    assert.deepEqual(
      r.errors.map((e) => e.line),
      [2, 3, 4, 5, 6, 7],
    );
    assert.match(r.errors[0]!.message, /expected a hex hash/);
    assert.match(r.errors[1]!.message, /64 hex digits .* or 32 .*got 60/);
    assert.match(r.errors[2]!.message, /unknown hash kind "sha1"/);
    assert.match(r.errors[3]!.message, /md5 hash has 32 hex digits, got 64/);
    assert.match(r.errors[4]!.message, /control characters/);
  });

  it('refuses binary input and over-long lines or metadata', () => {
    assert.match(parseHashList('\u0000\u0001PNG').errors[0]!.message, /NUL/);
    assert.match(parseHashList('a'.repeat(9000)).errors[0]!.message, /8192/);
    assert.match(parseHashList(`${PDQ},${'m'.repeat(2000)}`).errors[0]!.message, /metadata is 2000/);
  });

  it('caps the error details but still counts every bad line', () => {
    const r = parseHashList(new Array(500).fill('junk').join('\n'), { maxErrors: 10 });
    assert.equal(r.errors.length, 10);
    assert.equal(r.errorCount, 500);
  });
});
