import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalize, tokenize } from '../src/normalize.ts';

const words = (text: string) => normalize(text).tokens.join(' ');

describe('normalize', () => {
  it('lowercases and drops punctuation between words', () => {
    assert.equal(words('Hey, HOW are you?'), 'hey how are you');
  });

  it('undoes leetspeak inside words but keeps ages and numbers', () => {
    assert.equal(words('s3cr3t h0w 0ld'), 'secret how old');
    assert.equal(words('im 13'), 'im 13');
    assert.equal(words('13yo 14f'), '13 yo 14 f');
    assert.equal(words('$ecret p!c'), 'secret pic');
  });

  it('keeps an exclamation mark at the end of a word from becoming a letter', () => {
    assert.equal(words('hello! there'), 'helo there');
  });

  it('joins spelled-out and dotted words', () => {
    assert.equal(words('add me on s n a p c h a t'), 'ad me on snapchat');
    assert.equal(words('s.n.a.p me'), 'snapchat me');
    assert.equal(words('s-e-c-r-e-t'), 'secret');
  });

  it('leaves three spaced single letters alone (ordinary chat-speak)', () => {
    assert.equal(words('u r a star'), 'you are a star');
  });

  it('folds homoglyphs, fullwidth and mathematical letters, and diacritics', () => {
    assert.equal(words('ѕnаpchаt'), 'snapchat'); // Cyrillic s, a
    assert.equal(words('ｓｎａｐ'), 'snapchat'); // fullwidth
    assert.equal(words('𝐬𝐧𝐚𝐩'), 'snapchat'); // mathematical bold
    assert.equal(words('café naïve'), 'cafe naive');
  });

  it('removes zero-width characters hidden inside words', () => {
    assert.equal(words('d\u200bo\u200cn\u200dt tell'), 'dont tell');
  });

  it('collapses repeated letters', () => {
    assert.equal(words('sooooo secreeeeet'), 'so secret');
  });

  it('reads emoji used as words', () => {
    assert.equal(words('add my 👻'), 'ad my snapchat');
    assert.equal(words('send 📸'), 'send pic');
  });

  it('maps chat-speak to canonical words', () => {
    assert.equal(words('r u alone'), 'are you alone');
    assert.equal(words('b4 2nite'), 'before tonight');
  });

  it('marks phone numbers, links and handles as single tokens', () => {
    assert.equal(words('call me 555-123-4567'), 'cal me <phone>');
    assert.equal(words('join https://t.me/somebody now'), 'join <applink> now');
    assert.equal(words('see www.example.com'), 'se <url>');
    assert.equal(words('add @cool_kid'), 'ad <handle>');
  });

  it('maps every token back to its span in the original text', () => {
    const text = 'Hey!! add me on s.n.a.p 👻 pls';
    const n = normalize(text);
    const spans = n.tokens.map((_, i) => text.slice(n.starts[i], n.ends[i]));
    assert.deepEqual(spans, ['Hey', 'add', 'me', 'on', 's.n.a.p', '👻', 'pls']);
  });

  it('treats words that are Object.prototype keys as ordinary words', () => {
    assert.equal(words('constructor toString __proto__'), 'constructor tostring proto');
  });

  it('copes with empty, whitespace-only and very long input', () => {
    assert.deepEqual(normalize('').tokens, []);
    assert.deepEqual(normalize('   \n\t ').tokens, []);
    const long = 'word '.repeat(4000);
    assert.equal(normalize(long).tokens.length, 4000);
  });

  it('gives a word the same token in any letter case, the first time and every time after', () => {
    // The first sighting fills the word table; later ones are served from it.
    for (const text of ['PLZ Snap ME', 'plz snap me', 'Plz SNAP Me', 'pLz sNaP mE'])
      assert.equal(words(text), 'please snapchat me');
    assert.deepEqual(normalize('Plz SNAP').starts, [0, 4]);
    assert.deepEqual(normalize('Plz SNAP').ends, [3, 8]);
  });

  it('expands multi-word chat-speak on every sighting, not only the first', () => {
    assert.equal(words('ily'), 'i love you');
    assert.equal(words('ILY ily'), 'i love you i love you');
  });

  it('normalises the same after tens of thousands of new words fill and reset its word table', () => {
    const sample = [
      'Hey, HOW are you?',
      'plz dont tell ur mom',
      'sooo meeet me l8r',
      'ily bae',
      'add me on s n a p c h a t',
    ];
    const before = sample.map(words);
    // 70,000 distinct made-up words: more than the table holds, so it is cleared at least once.
    let batch: string[] = [];
    for (let n = 0; n < 70_000; n++) {
      let w = '';
      for (let v = n + 1; v > 0; v = Math.floor(v / 26)) w += String.fromCharCode(97 + (v % 26));
      batch.push(`zq${w}`);
      if (batch.length === 50) {
        // Each made-up word comes back as itself (squeezed), never as another word's token.
        const got = normalize(batch.join(' ')).tokens;
        assert.deepEqual(
          got,
          batch.map((x) => x.replace(/([a-z])\1+/g, '$1')),
        );
        batch = [];
      }
    }
    assert.deepEqual(sample.map(words), before);
  });

  it('handles words longer than the word table keeps', () => {
    const long = 'supercalifragilisticexpialidocious';
    assert.equal(words(`${long} ${long.toUpperCase()}`), `${long} ${long}`.replace(/([a-z])\1+/g, '$1'));
  });

  it("tokenize gives normalize's tokens and spans in buffers reused from call to call", () => {
    const texts = [
      'Hey, HOW are you?',
      'add me on s n a p c h a t',
      'call 0 7 7 0 0 9 0 0 4 6 1',
      "don't tell ur mom",
      'ok',
    ];
    let previous: unknown = null;
    for (const text of texts) {
      const expected = normalize(text);
      const stream = tokenize(text);
      if (previous !== null) assert.equal(stream, previous, 'the same buffers every call');
      previous = stream;
      assert.equal(stream.count, expected.tokens.length, text);
      assert.deepEqual(stream.tokens.slice(0, stream.count), expected.tokens, text);
      assert.deepEqual(Array.from(stream.starts.subarray(0, stream.count)), expected.starts, text);
      assert.deepEqual(Array.from(stream.ends.subarray(0, stream.count)), expected.ends, text);
    }
    // A shorter message leaves none of a longer one's words behind.
    const stream = tokenize('ok');
    assert.ok(
      stream.tokens.slice(stream.count).every((t) => t === ''),
      'the tokens past the count are cleared',
    );
  });

  it('names each plain word by a stable word-table entry, and rewritten tokens by none', () => {
    const a = tokenize('hello there hello');
    const [h1, t1, h2] = Array.from(a.ids.subarray(0, 3));
    assert.ok(h1! >= 0 && t1! >= 0, 'plain words have word-table entries');
    assert.equal(h1, h2, 'the same word, the same entry');
    assert.notEqual(h1, t1);
    const epoch = a.epoch;
    const b = tokenize('HELLO');
    assert.equal(b.ids[0], h1, 'case does not matter');
    assert.equal(b.epoch, epoch);
    // Joined spelled-out letters and phone numbers are not table words.
    const c = tokenize('add s n a p now');
    assert.deepEqual(c.tokens.slice(0, c.count), ['ad', 'snapchat', 'now']); // squeezed and mapped as ever
    assert.equal(c.ids[1], -1);
    const d = tokenize('text 07700 900461 ok');
    assert.deepEqual(d.tokens.slice(0, d.count), ['text', '<phone>', 'ok']);
    assert.equal(d.ids[1], -1);
  });

  it('never overwrites a stream from tokenize when normalize runs before it is read', () => {
    const stream = tokenize('im 13 tbh');
    const before = stream.tokens.slice(0, stream.count);
    normalize('a completely different and much longer message about nothing at all');
    assert.deepEqual(stream.tokens.slice(0, stream.count), before);
  });
});
