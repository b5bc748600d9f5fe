// Known-image matching over HTTP: bank management, uploads hashed in memory, cases opened on a match,
// hostile uploads refused with 4xx. Test images are generated gradients, shapes and rings.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { hammingDistance, hashImageBuffer, hexToHash } from '@lifeguard/pdq';
import { postgresSkip, type TestStoreKind } from '@lifeguard/storage/testing';
import { startTestService, type TestService } from './helpers.ts';

const SIZE = 256;
const hammingDistanceHex = (x: string, y: string) => hammingDistance(hexToHash(x), hexToHash(y));

/** Gradients plus a bright rectangle: a detailed image (PDQ quality well above 50). */
async function imageA(): Promise<Buffer> {
  const px = Buffer.alloc(SIZE * SIZE * 3);
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      const o = (y * SIZE + x) * 3;
      const inBox = x >= 40 && x < 120 && y >= 60 && y < 180;
      px[o] = inBox ? 250 : x;
      px[o + 1] = inBox ? 240 : y;
      px[o + 2] = Math.round(128 + 100 * Math.sin(x / 20) * Math.cos(y / 30));
    }
  }
  return sharp(px, { raw: { width: SIZE, height: SIZE, channels: 3 } })
    .png()
    .toBuffer();
}

/** Concentric rings and stripes: unrelated to A. */
async function imageB(): Promise<Buffer> {
  const px = Buffer.alloc(SIZE * SIZE * 3);
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      const o = (y * SIZE + x) * 3;
      const ring = Math.round(128 + 127 * Math.sin(Math.hypot(x - 80, y - 170) / 6));
      px[o] = ring;
      px[o + 1] = (x + 2 * y) % 64 < 32 ? 30 : 220;
      px[o + 2] = 255 - ring;
    }
  }
  return sharp(px, { raw: { width: SIZE, height: SIZE, channels: 3 } })
    .png()
    .toBuffer();
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body) >>> 0);
  return Buffer.concat([length, body, crc]);
}

/** A tiny file whose header declares 50,000 x 50,000 pixels (a decompression bomb). */
function bombPng(): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(50_000, 0);
  ihdr.writeUInt32BE(50_000, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(Buffer.alloc(1024))),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

function suite(kind: TestStoreKind, skip?: string): void {
  describe(`known-image matching on ${kind}`, { skip }, () => {
    let s: TestService;
    let a: Buffer;
    let aEdited: Buffer;
    let b: Buffer;
    let aJpeg: Buffer;
    let aPdq: string;
    let otherDecide: string;

    const upload = (bytes: Buffer, query: string, key: string | null, contentType = 'image/png') =>
      s.app.inject({
        method: 'POST',
        url: `/v1/media/match?${query}`,
        headers: { 'content-type': contentType, ...(key ? { authorization: `Bearer ${key}` } : {}) },
        payload: bytes,
      });
    const importList = (bank: string, text: string, key = s.keys.admin, query = '') =>
      s.app.inject({
        method: 'POST',
        url: `/v1/banks/${bank}/hashes${query}`,
        headers: { 'content-type': 'text/plain', authorization: `Bearer ${key}` },
        payload: text,
      });

    before(async () => {
      s = await startTestService(kind);
      a = await imageA();
      aEdited = await sharp(a).resize(200, 200).blur(1.2).jpeg({ quality: 80 }).toBuffer();
      b = await imageB();
      aJpeg = await sharp(a).jpeg({ quality: 90 }).toBuffer();
      aPdq = (await hashImageBuffer(a)).pdq;
      assert.equal((await s.call('POST', '/v1/banks', s.keys.admin, { name: 'known-list' })).statusCode, 201);
      const imported = await importList('known-list', `# test list\npdq:${aPdq},ref-0001\n`);
      assert.equal(imported.statusCode, 200, imported.body);
      assert.equal(imported.json().added, 1);
      assert.equal(
        (await s.call('POST', '/v1/webhooks', s.keys.admin, { url: 'https://example.test/hook', events: ['case.*'] }))
          .statusCode,
        201,
      );
      otherDecide = (
        await s.call('POST', '/v1/keys', s.keys.otherAdmin, { name: 'globex decide', scopes: ['decide'] })
      ).json().key;
    });
    after(async () => {
      await s?.close();
    });

    it('finds the banked image at distance 0 and opens a critical case holding hashes, not the image', async () => {
      const res = await upload(a, 'userId=uploader-1&conversationId=conv-1&messageId=m-1', s.keys.decide);
      assert.equal(res.statusCode, 200, res.body);
      const out = res.json();
      assert.equal(out.pdq, aPdq);
      assert.ok(out.quality >= 50, 'the image is of usable quality');
      assert.equal(out.md5, createHash('md5').update(a).digest('hex'));
      assert.deepEqual(out.matches, [
        { bank: 'known-list', kind: 'pdq', distance: 0, hash: aPdq, metadata: 'ref-0001' },
      ]);
      assert.equal(out.case.opened, true);
      assert.ok(!res.body.includes(a.subarray(0, 48).toString('base64')), 'the image is not echoed');

      const detail = await s.call('GET', `/v1/cases/${out.case.id}`, s.keys.reader);
      assert.equal(detail.statusCode, 200);
      const c = detail.json().case;
      assert.equal(c.accusedId, 'uploader-1');
      assert.equal(c.level, 'critical');
      const [finding] = c.evidence.media;
      assert.equal(finding.bank, 'known-list');
      assert.equal(finding.distance, 0);
      assert.equal(finding.kind, 'pdq');
      assert.equal(finding.conversationId, 'conv-1');
      assert.equal(finding.messageId, 'm-1');
      assert.equal(typeof finding.at, 'number');
      assert.ok(detail.body.length < 4000, 'the case is hashes and ids, nothing image-sized');
      assert.ok(!detail.body.includes(a.subarray(0, 48).toString('base64')), 'no image bytes in the case');
      assert.match(detail.json().history[0].note, /known-image match: bank known-list pdq distance 0/);

      const deliveries = (await s.call('GET', '/v1/webhooks/deliveries', s.keys.admin)).json().deliveries;
      const opened = deliveries.find(
        (d: { eventType: string; payload: { caseId: string } }) =>
          d.eventType === 'case.opened' && d.payload.caseId === out.case.id,
      );
      assert.ok(opened, 'a case.opened webhook is queued');
      assert.equal(opened.payload.accusedId, 'uploader-1');
    });

    it('does not record the same message twice when the request is retried', async () => {
      const res = await upload(a, 'userId=uploader-1&conversationId=conv-1&messageId=m-1', s.keys.decide);
      assert.equal(res.json().matches.length, 1);
      assert.equal(res.json().case.recorded, false);
      const c = (await s.call('GET', `/v1/cases/${res.json().case.id}`, s.keys.reader)).json().case;
      assert.equal(c.evidence.media.length, 1);
    });

    it('matches a resized, blurred JPEG of the banked image within distance 31 and adds it to the open case', async () => {
      const res = await upload(aEdited, 'userId=uploader-1&messageId=m-2', s.keys.decide, 'image/jpeg');
      assert.equal(res.statusCode, 200, res.body);
      const [m] = res.json().matches;
      assert.equal(m.bank, 'known-list');
      assert.ok(m.distance > 0 && m.distance <= 31, `distance ${m.distance}`);
      assert.equal(hammingDistanceHex(res.json().pdq, aPdq), m.distance);
      assert.equal(res.json().case.opened, false, 'the active case is updated, not a second one opened');
      const c = (await s.call('GET', `/v1/cases/${res.json().case.id}`, s.keys.reader)).json().case;
      assert.equal(c.evidence.media.length, 2);
      const cases = (await s.call('GET', '/v1/cases?accusedId=uploader-1', s.keys.reader)).json().cases;
      assert.equal(cases.length, 1);
    });

    it('finds no match for an unrelated image and opens no case', async () => {
      const res = await upload(b, 'userId=uploader-2', s.keys.decide);
      assert.equal(res.statusCode, 200);
      assert.ok(hammingDistanceHex(res.json().pdq, aPdq) > 31, 'the unrelated image is outside the match distance');
      assert.deepEqual(res.json().matches, []);
      assert.equal(res.json().case, null);
      assert.equal((await s.call('GET', '/v1/cases?accusedId=uploader-2', s.keys.reader)).json().cases.length, 0);
    });

    it('matches an exact MD5 from a file list, and takes hashes made on the device', async () => {
      const md5 = createHash('md5').update(aJpeg).digest('hex');
      assert.equal((await s.call('POST', '/v1/banks', s.keys.admin, { name: 'file-list' })).statusCode, 201);
      assert.equal((await importList('file-list', `${md5}\tref-77\n`)).json().added, 1);
      const res = await upload(aJpeg, 'userId=uploader-3', s.keys.decide, 'image/jpeg');
      const md5Match = res.json().matches.find((m: { kind: string }) => m.kind === 'md5');
      assert.deepEqual(md5Match, { bank: 'file-list', kind: 'md5', distance: 0, hash: md5, metadata: 'ref-77' });

      const client = await s.call('POST', '/v1/media/match', s.keys.decide, {
        md5: md5.toUpperCase(),
        userId: 'uploader-4',
      });
      assert.equal(client.statusCode, 200, client.body);
      assert.equal(client.json().matches[0].kind, 'md5');
      const byPdq = await s.call('POST', '/v1/media/match', s.keys.decide, {
        pdq: aPdq,
        quality: 100,
        userId: 'uploader-5',
      });
      assert.equal(byPdq.json().matches[0].distance, 0);
      assert.equal(byPdq.json().case.opened, true);
      const lowQuality = await s.call('POST', '/v1/media/match', s.keys.decide, {
        pdq: aPdq,
        quality: 10,
        userId: 'uploader-6',
      });
      assert.deepEqual(lowQuality.json().matches, [], 'PDQ of quality under 50 is not matched');
    });

    it('keeps the matcher in step with removals and enable/disable', async () => {
      assert.equal((await s.call('POST', '/v1/banks/known-list/disable', s.keys.admin)).json().enabled, false);
      assert.deepEqual(
        (await s.call('POST', '/v1/media/match', s.keys.decide, { pdq: aPdq, userId: 'u-7' })).json().matches,
        [],
      );
      assert.equal((await s.call('POST', '/v1/banks/known-list/enable', s.keys.admin)).json().enabled, true);
      assert.equal(
        (await s.call('POST', '/v1/media/match', s.keys.decide, { pdq: aPdq, userId: 'u-7' })).json().matches.length,
        1,
      );

      assert.equal((await s.call('DELETE', `/v1/banks/known-list/hashes/${aPdq}`, s.keys.admin)).statusCode, 204);
      assert.equal((await s.call('DELETE', `/v1/banks/known-list/hashes/${aPdq}`, s.keys.admin)).statusCode, 404);
      assert.deepEqual(
        (await s.call('POST', '/v1/media/match', s.keys.decide, { pdq: aPdq, userId: 'u-8' })).json().matches,
        [],
      );
      const listed = (await s.call('GET', '/v1/banks', s.keys.admin)).json().banks;
      assert.deepEqual(
        listed.map((x: { name: string; counts: { pdq: number; md5: number } }) => [x.name, x.counts.pdq, x.counts.md5]),
        [
          ['file-list', 0, 1],
          ['known-list', 0, 0],
        ],
      );
      // Put it back for the tests that follow.
      assert.equal((await importList('known-list', `pdq:${aPdq},ref-0001\n`)).json().added, 1);
    });

    it('keeps tenants apart: another platform neither sees nor matches these banks', async () => {
      assert.deepEqual((await s.call('GET', '/v1/banks', s.keys.otherAdmin)).json().banks, []);
      const res = await upload(a, 'userId=uploader-1', otherDecide);
      assert.equal(res.statusCode, 200);
      assert.deepEqual(res.json().matches, []);
      assert.equal((await s.call('DELETE', `/v1/banks/known-list/hashes/${aPdq}`, s.keys.otherAdmin)).statusCode, 404);
      assert.equal((await s.call('POST', '/v1/banks/known-list/disable', s.keys.otherAdmin)).statusCode, 404);
    });

    describe('bad input', () => {
      it('refuses bytes that are not an image', async () => {
        const res = await upload(Buffer.from('this is plain text, not a picture at all'), 'userId=u', s.keys.decide);
        assert.equal(res.statusCode, 415);
        assert.equal(res.json().code, 'unsupported_media_type');
        assert.match(res.json().problems[0], /not a supported image/);
      });

      it('refuses a truncated image', async () => {
        const res = await upload(a.subarray(0, Math.floor(a.length / 2)), 'userId=u', s.keys.decide);
        assert.equal(res.statusCode, 400, res.body);
        assert.match(res.json().error, /truncated or corrupt|could not be decoded/);
        assert.ok(res.json().problems.length > 0, 'the problems are listed');
      });

      it('refuses an empty body', async () => {
        const res = await upload(Buffer.alloc(0), 'userId=u', s.keys.decide);
        assert.equal(res.statusCode, 400, res.body);
        assert.match(res.json().error, /empty/);
      });

      it('refuses a decompression bomb by its header', async () => {
        const res = await upload(bombPng(), 'userId=u', s.keys.decide);
        assert.equal(res.statusCode, 413, res.body);
        assert.match(res.json().problems[0], /50000x50000.*refused before decoding/);
      });

      it('refuses a body over 20 MiB', async () => {
        const res = await upload(Buffer.alloc(21 * 1024 * 1024, 1), 'userId=u', s.keys.decide);
        assert.equal(res.statusCode, 413);
        assert.equal(res.json().code, 'payload_too_large');
      });

      it('refuses other content types, naming the accepted ones', async () => {
        const octet = await upload(a, 'userId=u', s.keys.decide, 'application/octet-stream');
        assert.equal(octet.statusCode, 415);
        assert.match(octet.json().error, /image\/jpeg, image\/png, image\/webp/);
        assert.equal((await upload(a, 'userId=u', s.keys.decide, 'text/plain')).statusCode, 415);
        const gif = await sharp(a).gif().toBuffer();
        assert.equal(
          (await upload(gif, 'userId=u', s.keys.decide, 'image/png')).statusCode,
          415,
          'a GIF is not accepted as PNG',
        );
      });

      it('names malformed hashes and missing fields', async () => {
        const res = await s.call('POST', '/v1/media/match', s.keys.decide, { pdq: 'xyz', md5: '12', userId: 'u' });
        assert.equal(res.statusCode, 400);
        assert.deepEqual(
          res
            .json()
            .problems.map((p: string) => p.split(':')[0])
            .sort(),
          ['md5', 'pdq'],
        );
        const none = await s.call('POST', '/v1/media/match', s.keys.decide, { userId: 'u' });
        assert.equal(none.statusCode, 400);
        assert.match(none.json().problems[0], /at least one of pdq, md5, sha256/);
        const noUser = await upload(a, '', s.keys.decide);
        assert.equal(noUser.statusCode, 400);
        assert.match(noUser.json().problems[0], /^userId:/);
      });

      it('reports each malformed line of a hash list and imports nothing', async () => {
        const before = (await s.call('GET', '/v1/banks/file-list', s.keys.admin)).json().counts;
        const res = await importList(
          'file-list',
          `${'ab'.repeat(16)}\nnot-a-hash\nfoo:${'cd'.repeat(16)}\n${'ef'.repeat(20)}\n`,
        );
        assert.equal(res.statusCode, 400);
        assert.deepEqual(
          res.json().problems.map((p: string) => p.split(':')[0]),
          ['line 2', 'line 3', 'line 4'],
        );
        assert.deepEqual((await s.call('GET', '/v1/banks/file-list', s.keys.admin)).json().counts, before);
        const skipped = await importList(
          'file-list',
          `${'ab'.repeat(16)}\nnot-a-hash\n`,
          s.keys.admin,
          '?skipInvalid=true',
        );
        assert.equal(skipped.json().added, 1);
        assert.equal(skipped.json().invalid, 1);
      });

      it('refuses bad bank names, unknown banks and duplicates', async () => {
        assert.equal((await s.call('POST', '/v1/banks', s.keys.admin, { name: '../etc' })).statusCode, 400);
        assert.equal((await s.call('POST', '/v1/banks', s.keys.admin, { name: 'known-list' })).statusCode, 409);
        assert.equal((await importList('no-such-bank', `${'ab'.repeat(16)}\n`)).statusCode, 404);
        assert.equal((await s.call('DELETE', '/v1/banks/known-list/hashes/zz', s.keys.admin)).statusCode, 400);
      });
    });

    describe('access', () => {
      it('refuses a missing or wrong key', async () => {
        assert.equal((await upload(a, 'userId=u', null)).statusCode, 401);
        assert.equal((await upload(a, 'userId=u', 'lg_wrong')).statusCode, 401);
        assert.equal((await s.call('GET', '/v1/banks', null)).statusCode, 401);
      });

      it('needs the decide scope to match and the admin scope to manage banks', async () => {
        const res = await upload(a, 'userId=u', s.keys.reader);
        assert.equal(res.statusCode, 403);
        assert.match(res.json().error, /"decide" scope/);
        assert.equal((await s.call('GET', '/v1/banks', s.keys.decide)).statusCode, 403);
        assert.equal((await importList('known-list', `${'ab'.repeat(16)}\n`, s.keys.decide)).statusCode, 403);
        assert.equal((await s.call('DELETE', `/v1/banks/known-list/hashes/${aPdq}`, s.keys.ingest)).statusCode, 403);
      });
    });
  });
}

suite('sqlite');
suite('postgres', await postgresSkip());

describe('image decoding under load', () => {
  let s: TestService;
  before(async () => {
    s = await startTestService('sqlite', { media: { maxConcurrentDecodes: 1, maxQueuedDecodes: 1 } });
  });
  after(async () => {
    await s?.close();
  });

  it('decodes a bounded number of uploads at once and answers the rest 429 with Retry-After', async () => {
    const side = 2000;
    const noise = Buffer.alloc(side * side * 3);
    for (let i = 0; i < noise.length; i++) noise[i] = (i * 2654435761) >>> 24;
    const big = await sharp(noise, { raw: { width: side, height: side, channels: 3 } })
      .png({ compressionLevel: 1 })
      .toBuffer();
    const send = () =>
      s.app.inject({
        method: 'POST',
        url: '/v1/media/match?userId=load-1',
        headers: { 'content-type': 'image/png', authorization: `Bearer ${s.keys.decide}` },
        payload: big,
      });
    const answers = await Promise.all(Array.from({ length: 6 }, send));
    const codes = answers.map((r) => r.statusCode).sort();
    const refused = answers.filter((r) => r.statusCode === 429);
    assert.ok(
      codes.every((c) => c === 200 || c === 429),
      `only 200 and 429: ${codes.join(', ')}`,
    );
    assert.ok(
      codes.filter((c) => c === 200).length >= 2,
      `the decoder and its one waiter are served: ${codes.join(', ')}`,
    );
    assert.ok(refused.length >= 1, `a burst past one decoder and one waiter is refused: ${codes.join(', ')}`);
    for (const r of refused) {
      assert.equal(r.json().code, 'rate_limited', r.body);
      assert.equal(r.headers['retry-after'], '1', 'says when to retry');
    }
    assert.equal((await send()).statusCode, 200, 'served again once the burst has passed');
  });
});

describe('bank import under load', () => {
  let s: TestService;
  before(async () => {
    s = await startTestService('sqlite');
  });
  after(async () => {
    await s?.close();
  });

  it('answers other requests while a large list is being imported, and imports all of it', async () => {
    assert.equal((await s.call('POST', '/v1/banks', s.keys.admin, { name: 'large' })).statusCode, 201);
    const n = 60_000;
    const list = Array.from(
      { length: n },
      (_, i) => `pdq:${createHash('sha256').update(`hash ${i}`).digest('hex')},ref-${i}`,
    ).join('\n');
    const order: string[] = [];
    const importing = s.app
      .inject({
        method: 'POST',
        url: '/v1/banks/large/hashes',
        headers: { 'content-type': 'text/plain', authorization: `Bearer ${s.keys.admin}` },
        payload: list,
      })
      .then((res) => {
        order.push('import');
        return res;
      });
    // Sent once the import has started: served between its slices, not after it.
    await new Promise((resolve) => setTimeout(resolve, 5));
    const health = s.app.inject({ method: 'GET', url: '/healthz' }).then((res) => {
      order.push('health');
      return res;
    });
    const [imported, healthz] = await Promise.all([importing, health]);
    assert.equal(healthz.statusCode, 200, 'the other request is answered');
    assert.deepEqual(order, ['health', 'import'], 'the other request did not wait for the whole import');
    assert.equal(imported.statusCode, 200, imported.body);
    assert.equal(imported.json().added, n, 'every hash imported');
    const match = await s.call('POST', '/v1/media/match', s.keys.decide, {
      pdq: createHash('sha256').update('hash 59999').digest('hex'),
      userId: 'import-check',
    });
    assert.equal(match.json().matches[0]?.distance, 0, `the last hash of the list is matched: ${match.body}`);
  });

  it('refuses a hash list that is not UTF-8, importing nothing', async () => {
    assert.equal((await s.call('POST', '/v1/banks', s.keys.admin, { name: 'latin1' })).statusCode, 201);
    const bytes = Buffer.concat([Buffer.from(`pdq:${'a'.repeat(64)},caf`), Buffer.from([0xe9]), Buffer.from('\n')]);
    const res = await s.app.inject({
      method: 'POST',
      url: '/v1/banks/latin1/hashes',
      headers: { 'content-type': 'text/plain', authorization: `Bearer ${s.keys.admin}` },
      payload: bytes,
    });
    assert.equal(res.statusCode, 400, res.body);
    assert.match(res.json().error, /not valid UTF-8/);
  });
});
