// A known-video match in the case view, in real Chromium against the real service: a trimmed, re-encoded
// copy of a banked video is uploaded to POST /v1/media/match; the moderator sees which known video and
// bank entry matched, the frames matched each way and where in both videos, with the upload a blurred
// tile that loads nothing until revealed, and the reveal in the audit log. Needs Chromium and ffmpeg:
// skipped, saying how to install them, when either is missing.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hashVideoFile, videoBankLines } from '@lifeguard/pdq';
import { environmentSkip } from '@lifeguard/storage/testing';
import { ffmpeg, ffmpegSkip, patternVideo } from '../../pdq/test/videoFixtures.ts';
import { chromiumMissing, startConsoleEnv, TENANT, type ConsoleEnv } from './harness.ts';

const skip =
  process.env.LIFEGUARD_SKIP_BROWSER === '1'
    ? 'LIFEGUARD_SKIP_BROWSER=1: browser tests skipped'
    : (environmentSkip('Chromium', chromiumMissing()) ?? (await ffmpegSkip()));

/** Where the platform keeps the upload: served beside the console for the test, as a platform's media host would. */
const VIDEO_REF = '/console/test-media/clip-77.webm';

describe('known-video match in the console', { timeout: 240_000 }, () => {
  let env: ConsoleEnv;
  let caseId = '';
  before(
    async () => {
      if (skip) return;
      env = await startConsoleEnv([]);
      const original = await patternVideo('testsrc2', 8, join(env.dir, 'original.mp4'));
      const upload = join(env.dir, 'upload.webm');
      await ffmpeg(['-ss', '2', '-t', '5', '-i', original, '-vf', 'scale=240:180', '-c:v', 'libvpx', upload]);
      mkdirSync(join(env.dir, 'dist', 'test-media'), { recursive: true });
      copyFileSync(upload, join(env.dir, 'dist', 'test-media', 'clip-77.webm'));

      const auth = { authorization: `Bearer ${env.apiKey}` };
      const post = (path: string, body: string | Uint8Array<ArrayBuffer>, type: string) =>
        fetch(`${env.base}${path}`, { method: 'POST', headers: { ...auth, 'content-type': type }, body });
      const bank = await post('/v1/banks', JSON.stringify({ name: 'known-videos' }), 'application/json');
      assert.equal(bank.status, 201, await bank.text());
      const frames = (await hashVideoFile(original)).frames;
      const lines = videoBankLines('case-17', frames, { note: 'list 3' }).join('\n');
      const imported = await post('/v1/banks/known-videos/hashes', `${lines}\n`, 'text/plain');
      assert.equal(imported.status, 200, await imported.text());
      const sent = await post(
        '/v1/events',
        JSON.stringify({
          events: [
            {
              type: 'message',
              id: 'msg-video-1',
              time: Date.now() - 60_000,
              conversationId: 'dm-uploader-kid',
              senderId: 'uploader-1',
              recipientIds: ['kid-1'],
              text: 'look',
              attachments: [{ kind: 'video', ref: VIDEO_REF }],
            },
          ],
        }),
        'application/json',
      );
      assert.equal(sent.status, 200, await sent.text());
      const matched = await post(
        '/v1/media/match?userId=uploader-1&conversationId=dm-uploader-kid&messageId=msg-video-1',
        new Uint8Array(await readFile(upload)),
        'video/webm',
      );
      const body = await matched.text();
      assert.equal(matched.status, 200, body);
      caseId = JSON.parse(body).case?.id;
      assert.ok(caseId, `the match opened a case: ${body}`);
    },
    { timeout: 180_000 },
  );
  after(async () => {
    await env?.close();
  });

  test('a moderator sees the known video, the shares of frames and their times, blurred until a logged reveal', {
    skip,
  }, async () => {
    const { context, page } = await env.signIn('moderator');
    const videoRequests: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('clip-77')) videoRequests.push(r.url());
    });
    await page.goto(`/console/cases/${encodeURIComponent(caseId)}`);
    const match = page.getByTestId('media-match');
    await match.waitFor();
    assert.equal(await match.count(), 1, 'one match');
    const text = await match.innerText();
    assert.match(text, /Known video case-17/, 'which known video');
    assert.match(text, /known-videos/, 'which bank');
    assert.match(text, /list 3/, "the bank entry's note");
    assert.equal(await match.getByTestId('query-share').innerText(), '5 of 5 (100%)', "all the upload's frames");
    assert.match(await match.getByTestId('target-share').innerText(), /^\d of 8 \(\d+%\)$/, "of the known video's 8");
    const times = await match.locator('[data-testid="matched-frames"] li').allInnerTexts();
    assert.equal(times.length, 5, `one line per matching frame: ${JSON.stringify(times)}`);
    assert.match(times[0]!, /^0:00 ↔ 0:0[123] of the known video · distance \d+$/, times[0]);
    assert.match(times[4]!, /^0:04 ↔ 0:0[567] of the known video/, times[4]);

    const tile = match.getByTestId('media-tile');
    assert.equal(await tile.getAttribute('data-state'), 'hidden', 'blurred by default');
    const filter = await tile.locator('.media-placeholder').evaluate((el) => getComputedStyle(el).filter);
    assert.match(filter, /blur/, filter);
    assert.equal(await page.locator('video').count(), 0, 'no video element before a reveal');
    assert.deepEqual(videoRequests, [], 'the upload is not fetched before a reveal');

    await tile.getByRole('button', { name: 'Reveal…' }).click();
    await tile.getByText('This may be distressing').waitFor();
    await tile.getByRole('button', { name: 'Show it' }).click();
    const video = page.locator('[data-state="revealed"] video');
    await video.waitFor();
    assert.equal(await video.getAttribute('src'), VIDEO_REF, "the platform's copy, from the upload's message");
    assert.equal(await video.evaluate((v) => (v as HTMLVideoElement).muted && (v as HTMLVideoElement).paused), true);
    const audit = await env.storage.listAudit(TENANT, { caseId, action: 'media.reveal', limit: 5 });
    assert.deepEqual(
      audit.map((a) => a.targetId),
      ['match-0'],
      'the reveal is in the audit log',
    );

    await tile.getByRole('button', { name: 'Hide again' }).click();
    await page.locator('[data-testid="media-match"] [data-state="hidden"]').waitFor();
    assert.equal(await page.locator('video').count(), 0, 'hidden again');
    assert.deepEqual(env.cspViolations, [], 'the view needs nothing the CSP forbids');
    await context.close();
  });
});
