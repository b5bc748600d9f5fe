// The console's case view of known-media matches: a trimmed, re-encoded copy of a banked video uploaded to
// POST /v1/media/match shows in GET /console/api/cases/:id as which known video matched, the frames matched
// each way and where in both videos; a client-hashed image match shows as an image. Revealing a match gives
// the platform's reference from the upload's message event (never stored media) and is audited. The video
// comes from ffmpeg's test sources, so the test needs ffmpeg.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashVideoFile, videoBankLines } from '@lifeguard/pdq';
import { ffmpeg, ffmpegSkip, patternVideo } from '../../pdq/test/videoFixtures.ts';
import { createStaff } from '../src/index.ts';
import { NOW, startTestService, type TestService } from './helpers.ts';

const skip = await ffmpegSkip();
const PASSWORD = 'correct horse battery staple';
const VIDEO_REF = 'https://media.example.net/uploads/clip-77.webm';

interface MatchedFrame {
  at: number;
  knownAt: number | null;
  distance: number;
}

describe('known-media matches in the console case view', { skip }, () => {
  let s: TestService;
  let dir = '';
  let cookie = '';
  let csrf = '';
  let videoCase = '';
  let imageCase = '';

  const consoleCall = (method: 'GET' | 'POST', url: string) =>
    s.app.inject({ method, url, headers: { cookie, ...(method === 'POST' ? { 'x-csrf-token': csrf } : {}) } });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lifeguard-console-media-'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Lifeguard console</title>');
    // An 8-second known video; the upload is its seconds 2 to 7, smaller and re-encoded as VP8.
    const original = await patternVideo('testsrc2', 8, join(dir, 'original.mp4'));
    const upload = join(dir, 'upload.webm');
    await ffmpeg(['-ss', '2', '-t', '5', '-i', original, '-vf', 'scale=240:180', '-c:v', 'libvpx', upload]);

    s = await startTestService('sqlite', { console: { dir } });
    await createStaff(
      { storage: s.storage },
      'acme',
      { email: 'mod@acme.example', name: 'Mo Derator', role: 'moderator', password: PASSWORD },
      { system: 'test' },
    );
    const signIn = await s.app.inject({
      method: 'POST',
      url: '/console/api/session',
      payload: { tenant: 'acme', email: 'mod@acme.example', password: PASSWORD },
    });
    assert.equal(signIn.statusCode, 200, signIn.body);
    cookie = String(signIn.headers['set-cookie']).split(';')[0]!;
    csrf = signIn.json().csrfToken;

    assert.equal((await s.call('POST', '/v1/banks', s.keys.admin, { name: 'known-videos' })).statusCode, 201);
    const frames = (await hashVideoFile(original)).frames;
    const imported = await s.app.inject({
      method: 'POST',
      url: '/v1/banks/known-videos/hashes',
      headers: { 'content-type': 'text/plain', authorization: `Bearer ${s.keys.admin}` },
      payload: `${videoBankLines('case-17', frames, { note: 'list 3' }).join('\n')}\n`,
    });
    assert.equal(imported.statusCode, 200, imported.body);

    // The platform sent the message carrying the video before it asked for the match.
    const sent = await s.ingest([
      {
        type: 'message',
        id: 'msg-video-1',
        time: NOW(),
        conversationId: 'dm-uploader-kid',
        senderId: 'uploader-1',
        recipientIds: ['kid-1'],
        text: 'look',
        attachments: [{ kind: 'video', ref: VIDEO_REF }],
      },
    ]);
    assert.equal(sent.statusCode, 200, sent.body);
    const matched = await s.app.inject({
      method: 'POST',
      url: '/v1/media/match?userId=uploader-1&conversationId=dm-uploader-kid&messageId=msg-video-1',
      headers: { 'content-type': 'video/webm', authorization: `Bearer ${s.keys.decide}` },
      payload: await readFile(upload),
    });
    assert.equal(matched.statusCode, 200, matched.body);
    videoCase = matched.json().case?.id;
    assert.ok(videoCase, `the video match opened a case: ${matched.body}`);

    // An image hashed on the device: no message, so nothing to reveal but the fact of the match.
    const pdq = 'f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22';
    assert.equal((await s.call('POST', '/v1/banks', s.keys.admin, { name: 'known-images' })).statusCode, 201);
    const list = await s.app.inject({
      method: 'POST',
      url: '/v1/banks/known-images/hashes',
      headers: { 'content-type': 'text/plain', authorization: `Bearer ${s.keys.admin}` },
      payload: `pdq:${pdq},list-A 0017\n`,
    });
    assert.equal(list.statusCode, 200, list.body);
    const image = await s.call('POST', '/v1/media/match', s.keys.decide, { pdq, quality: 92, userId: 'uploader-2' });
    assert.equal(image.statusCode, 200, image.body);
    imageCase = image.json().case?.id;
    assert.ok(imageCase, `the image match opened a case: ${image.body}`);
  });
  after(async () => {
    await s?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('shows which known video matched, the frames matched each way, and where in both videos', async () => {
    const res = await consoleCall('GET', `/console/api/cases/${videoCase}`);
    assert.equal(res.statusCode, 200, res.body);
    const detail = res.json();
    assert.equal(detail.mediaMatches.length, 1, `one match: ${JSON.stringify(detail.mediaMatches)}`);
    const [m] = detail.mediaMatches;
    assert.equal(m.mediaId, 'match-0', 'the id reports to the authorities use');
    assert.equal(m.media, 'video');
    assert.equal(m.bank, 'known-videos');
    assert.equal(m.metadata, 'list 3', "the bank entry's note");
    assert.equal(m.messageId, 'msg-video-1');
    assert.equal(m.video.match, 'known');
    assert.equal(m.video.knownVideo, 'case-17');
    assert.equal(m.video.queryShare, 1, 'every frame of the upload is in the known video');
    assert.equal(m.video.queryFrames, 5, 'five seconds sampled once a second');
    assert.equal(m.video.queryMatched, 5, 'all five matched');
    assert.equal(m.video.targetFrames, 8, 'the known video has eight usable frames');
    assert.ok(
      m.video.targetMatched >= 4 && m.video.targetMatched < 8,
      `about the five seconds the upload kept of the known video: ${m.video.targetMatched}`,
    );
    const frames = m.video.frames as MatchedFrame[];
    assert.deepEqual(
      frames.map((f) => f.at),
      [0, 1, 2, 3, 4],
      'each matching frame of the upload, earliest first',
    );
    for (const f of frames) {
      assert.ok(
        f.knownAt !== null && Math.abs(f.knownAt - (f.at + 2)) <= 1,
        `the upload starts 2 s into the known video: ${JSON.stringify(f)}`,
      );
      assert.ok(f.distance <= 31, `within the match distance: ${f.distance}`);
    }
    assert.equal(m.video.firstAt, 0, 'the first matching frame');
    assert.ok(
      detail.explanation.some((line: string) =>
        /known-video match in bank "known-videos" \(video case-17: 100% of the upload's frames matched/.test(line),
      ),
      `an explanation line names the known video: ${JSON.stringify(detail.explanation)}`,
    );
    assert.ok(!res.body.includes(VIDEO_REF), 'the reference to the upload is given out only by a reveal');
  });

  it('reveals a matched video through its message, and logs the reveal', async () => {
    const res = await consoleCall('POST', `/console/api/cases/${videoCase}/media/match-0/reveal`);
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), { ref: VIDEO_REF, kind: 'video' });
    const audit = await s.storage.listAudit('acme', { caseId: videoCase, action: 'media.reveal', limit: 5 });
    assert.equal(audit.length, 1, 'one reveal, one audit entry');
    assert.equal(audit[0]!.targetId, 'match-0');
    assert.deepEqual(audit[0]!.details, { kind: 'video', knownMediaMatch: true });
    const missing = await consoleCall('POST', `/console/api/cases/${videoCase}/media/match-1/reveal`);
    assert.equal(missing.statusCode, 404, 'a match the case does not hold');
  });

  it('shows an image matched from device hashes as an image, with nothing to reveal but a logged reveal', async () => {
    const res = await consoleCall('GET', `/console/api/cases/${imageCase}`);
    assert.equal(res.statusCode, 200, res.body);
    const [m] = res.json().mediaMatches;
    assert.equal(m.media, 'image');
    assert.equal(m.video, null, 'no video facts for an image');
    assert.equal(m.distance, 0);
    assert.equal(m.quality, 92);
    assert.equal(m.hashedBy, 'client');
    const reveal = await consoleCall('POST', `/console/api/cases/${imageCase}/media/match-0/reveal`);
    assert.deepEqual(reveal.json(), { ref: null, kind: 'image' }, 'Lifeguard holds no copy to show');
    const audit = await s.storage.listAudit('acme', { caseId: imageCase, action: 'media.reveal', limit: 5 });
    assert.equal(audit.length, 1, 'the reveal is logged all the same');
  });
});
