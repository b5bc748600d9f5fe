// Video uploads to POST /v1/media/match: a trimmed, resized copy of a banked video is found and opens a
// case holding shares and hashes (never frames); unrelated videos are not; a frame that is a known
// still image is a finding; hostile and oversized files get 4xx; ffmpeg missing is a 503. Test videos
// come from ffmpeg's test sources.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashVideoFile, videoBankLines } from '@lifeguard/pdq';
import { ffmpeg, ffmpegSkip, patternVideo } from '../../pdq/test/videoFixtures.ts';
import { startTestService, type TestService } from './helpers.ts';

const skip = await ffmpegSkip();

describe('video matching over HTTP', { skip }, () => {
  let s: TestService;
  let dir = '';
  let original: Buffer;
  let trimmed: Buffer;
  let unrelated: Buffer;
  let long: Buffer;

  const upload = (bytes: Buffer | string, query: string, contentType = 'video/mp4', key = s.keys.decide) =>
    s.app.inject({
      method: 'POST',
      url: `/v1/media/match?${query}`,
      headers: { 'content-type': contentType, authorization: `Bearer ${key}` },
      payload: bytes,
    });
  const importList = (bank: string, text: string) =>
    s.app.inject({
      method: 'POST',
      url: `/v1/banks/${bank}/hashes`,
      headers: { 'content-type': 'text/plain', authorization: `Bearer ${s.keys.admin}` },
      payload: text,
    });

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lifeguard-video-http-'));
    const originalPath = await patternVideo('testsrc2', 8, join(dir, 'original.mp4'));
    await ffmpeg([
      '-ss',
      '2',
      '-t',
      '5',
      '-i',
      originalPath,
      '-vf',
      'scale=240:180',
      '-c:v',
      'libvpx',
      '-deadline',
      'realtime',
      join(dir, 'trimmed.webm'),
    ]);
    original = await readFile(originalPath);
    trimmed = await readFile(join(dir, 'trimmed.webm'));
    unrelated = await readFile(await patternVideo('mandelbrot', 4, join(dir, 'unrelated.mp4')));
    long = await readFile(await patternVideo('testsrc', 20, join(dir, 'long.mp4')));
    s = await startTestService('sqlite', { media: { maxVideoSeconds: 15, maxVideoBytes: 4 * 1024 * 1024 } });
    assert.equal((await s.call('POST', '/v1/banks', s.keys.admin, { name: 'known-videos' })).statusCode, 201);
    const frames = (await hashVideoFile(originalPath)).frames;
    const imported = await importList(
      'known-videos',
      `${videoBankLines('case-17', frames, { note: 'list 3' }).join('\n')}\n`,
    );
    assert.equal(imported.statusCode, 200, imported.body);
    assert.equal(imported.json().added, frames.length);
  });
  after(async () => {
    await s?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('finds the known video from a trimmed, resized, re-encoded copy and opens a case with the shares', async () => {
    const res = await upload(trimmed, 'userId=uploader-v1&messageId=mv-1', 'video/webm');
    assert.equal(res.statusCode, 200, res.body);
    const out = res.json();
    assert.equal(out.kind, 'video');
    assert.equal(out.sampledFrames, 5, '5 s at 1 frame a second');
    const [known] = out.videos;
    assert.ok(known, `a known video is reported: ${res.body}`);
    assert.equal(known.video, 'case-17');
    assert.equal(known.matched, true);
    assert.equal(known.queryShare, 1, 'every frame of the copy is in the known video');
    assert.equal(known.note, 'list 3');
    assert.ok(out.case?.opened, 'a case is opened');
    const c = (await s.call('GET', `/v1/cases/${out.case.id}`, s.keys.reader)).json().case;
    assert.equal(c.level, 'critical');
    const [finding] = c.evidence.media;
    assert.equal(finding.video.id, 'case-17');
    assert.equal(finding.video.queryShare, 1);
    assert.equal(finding.upload.sha256, out.sha256);
    assert.ok(!JSON.stringify(c).includes(trimmed.subarray(0, 64).toString('base64')), 'no video bytes in the case');
  });

  it('does not match an unrelated video, and opens no case', async () => {
    const res = await upload(unrelated, 'userId=uploader-v2');
    assert.equal(res.statusCode, 200, res.body);
    const out = res.json();
    assert.equal(out.videos.filter((v: { matched: boolean }) => v.matched).length, 0, res.body);
    assert.equal(out.case, null);
  });

  it('reports a frame that is a known still image', async () => {
    const still = (await hashVideoFile(join(dir, 'unrelated.mp4'))).frames[0]!;
    assert.equal((await s.call('POST', '/v1/banks', s.keys.admin, { name: 'stills' })).statusCode, 201);
    assert.equal((await importList('stills', `pdq:${still.hash},still-9\n`)).statusCode, 200);
    const res = await upload(unrelated, 'userId=uploader-v3');
    assert.equal(res.statusCode, 200, res.body);
    const out = res.json();
    assert.deepEqual(
      out.frameMatches.map((m: { bank: string; metadata: string; at: number; distance: number }) => [
        m.bank,
        m.metadata,
        m.at,
        m.distance,
      ]),
      [['stills', 'still-9', 0, 0]],
    );
    assert.ok(out.case?.id, 'a known still in a video opens a case too');
  });

  it('refuses hostile and oversized files with a clear 4xx, naming the problem', async () => {
    const text = await upload('#EXTM3U\n#EXTINF:1,\nfile:///etc/hostname\n', 'userId=u');
    assert.equal(text.statusCode, 415, text.body);
    assert.match(text.json().problems[0], /not a supported video/);
    const cut = await upload(original.subarray(0, Math.floor(original.length / 3)), 'userId=u');
    assert.equal(cut.statusCode, 400, cut.body);
    assert.match(cut.json().error, /truncated or corrupt/);
    const tooLong = await upload(long, 'userId=u');
    assert.equal(tooLong.statusCode, 413, tooLong.body);
    assert.match(tooLong.json().problems[0], /20\.0 s long, over the 15-second limit/);
    const tooBig = await upload(Buffer.concat([original, Buffer.alloc(4 * 1024 * 1024)]), 'userId=u');
    assert.equal(tooBig.statusCode, 413, tooBig.body);
    assert.match(tooBig.json().error, /limit of 4194304 bytes/);
    const noUser = await upload(original, '');
    assert.equal(noUser.statusCode, 400, noUser.body);
  });

  it('keeps answering other requests while a video decodes', async () => {
    const order: string[] = [];
    const video = upload(original, 'userId=uploader-v4').then((r) => {
      order.push('video');
      return r;
    });
    await new Promise((resolve) => setTimeout(resolve, 50)); // the upload is under way (ffmpeg started)
    const health = await s.call('GET', '/v1/banks', s.keys.admin);
    order.push('other');
    assert.equal(health.statusCode, 200);
    assert.equal((await video).statusCode, 200);
    assert.deepEqual(order, ['other', 'video'], 'the other request was answered before the video finished');
  });

  it('answers 503 saying ffmpeg is missing, when it is', async () => {
    const saved = process.env.LIFEGUARD_FFPROBE;
    process.env.LIFEGUARD_FFPROBE = join(dir, 'no-such-ffprobe');
    try {
      const res = await upload(original, 'userId=u');
      assert.equal(res.statusCode, 503, res.body);
      assert.match(res.json().problems[0], /apt-get install -y ffmpeg/);
    } finally {
      if (saved === undefined) delete process.env.LIFEGUARD_FFPROBE;
      else process.env.LIFEGUARD_FFPROBE = saved;
    }
  });
});
