// The video commands: `lifeguard hash VIDEO`, `lifeguard video hash` (vPDQ lines and bank lists) and
// `lifeguard video match` against videos, vPDQ lists and banks. Test videos come from ffmpeg's test sources.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Command, CommanderError } from 'commander';
import { registerImageCommands } from '../src/index.ts';
import { ffmpeg, ffmpegSkip, patternVideo } from './videoFixtures.ts';

const skip = await ffmpegSkip();

describe('lifeguard video commands', { skip }, () => {
  let home = '';
  before(async () => {
    home = await mkdtemp(join(tmpdir(), 'lifeguard-video-cli-'));
    const original = await patternVideo('testsrc2', 8, join(home, 'original.mp4'));
    const trimmed = join(home, 'trimmed.mp4');
    await ffmpeg(['-ss', '3', '-t', '4', '-i', original, '-vf', 'scale=200:150', trimmed]);
    await patternVideo('mandelbrot', 5, join(home, 'unrelated.mp4'));
  });
  after(async () => {
    await rm(home, { recursive: true, force: true });
  });

  async function run(...args: string[]): Promise<{ out: string; err: string; code: number }> {
    let out = '';
    let err = '';
    const program = new Command('lifeguard');
    program.exitOverride();
    program.configureOutput({ writeOut: (s) => (out += s), writeErr: (s) => (err += s) });
    registerImageCommands(program, { env: { LIFEGUARD_HOME: join(home, 'lg') }, cwd: home });
    let code = 0;
    try {
      await program.parseAsync(['node', 'lifeguard', ...args]);
    } catch (e) {
      if (!(e instanceof CommanderError)) throw e;
      code = e.exitCode;
    }
    return { out, err, code };
  }

  it('lifeguard hash prints hash,quality,file,timestamp for each distinct frame of a video', async () => {
    const r = await run('hash', 'original.mp4');
    assert.equal(r.code, 0, r.err);
    const lines = r.out.trim().split('\n');
    assert.ok(lines.length >= 2 && lines.length <= 8, `8 s sampled once a second: ${lines.length} lines`);
    for (const line of lines) assert.match(line, /^[0-9a-f]{64},\d{1,3},original\.mp4,\d+\.000$/);
    const json = JSON.parse((await run('hash', '--json', 'original.mp4')).out);
    assert.equal(json.kind, 'video');
    assert.equal(json.sampledFrames, 8);
  });

  it('matches a trimmed, resized copy against the video and against its vPDQ list, and not an unrelated video', async () => {
    const listed = await run('video', 'hash', 'original.mp4');
    assert.equal(listed.code, 0, listed.err);
    assert.match(listed.out.split('\n')[0]!, /^0,\d+,[0-9a-f]{64},0\.000$/, 'vPDQ lines: frame,quality,hash,timestamp');
    await writeFile(join(home, 'original.vpdq'), listed.out);
    const r = await run('video', 'match', 'trimmed.mp4', 'original.mp4', 'original.vpdq', 'unrelated.mp4');
    assert.equal(r.code, 0, r.err);
    const lines = r.out.trim().split('\n');
    assert.match(lines[0]!, /^MATCH {4} original\.mp4 {2}query 100\.0%/);
    assert.match(lines[1]!, /^MATCH {4} original\.vpdq {2}query 100\.0%/);
    assert.match(lines[2]!, /^no match {2}unrelated\.mp4 {2}query 0\.0%/);
  });

  it('finds a known video in a bank made from its bank list', async () => {
    const list = await run('video', 'hash', '--bank-list', 'known-7', 'original.mp4');
    assert.equal(list.code, 0, list.err);
    assert.match(list.out.split('\n')[0]!, /^pdq:[0-9a-f]{64},vpdq:known-7;t=\d+\.000;frames=\d+$/);
    await writeFile(join(home, 'known.txt'), list.out);
    const imported = await run('bank', 'import', 'videos', 'known.txt');
    assert.equal(imported.code, 0, imported.err);
    const hit = await run('video', 'match', 'trimmed.mp4');
    assert.equal(hit.code, 0, hit.err);
    assert.match(hit.out, /^MATCH {4} bank=videos {2}video=known-7 {2}query 100\.0%/m);
    const miss = await run('video', 'match', 'unrelated.mp4');
    assert.match(miss.out, /^no match {2}unrelated\.mp4/m, miss.out);
  });

  it('lifeguard match points a video to lifeguard video match', async () => {
    const r = await run('match', 'original.mp4');
    assert.equal(r.code, 1);
    assert.match(r.err, /original\.mp4: a video, not an image \(match it with: lifeguard video match original\.mp4\)/);
  });

  it('names the line of a malformed vPDQ list, and a file that is neither', async () => {
    await writeFile(join(home, 'bad.vpdq'), '0,100,abcd,0.000\n');
    const r = await run('video', 'match', 'original.mp4', 'bad.vpdq');
    assert.equal(r.code, 1);
    assert.match(r.err, /bad\.vpdq:1: hash is not 64 hex digits/);
  });

  it('says how to install ffmpeg when it is missing', async () => {
    const saved = process.env.LIFEGUARD_FFPROBE;
    process.env.LIFEGUARD_FFPROBE = join(home, 'no-such-ffprobe');
    try {
      const r = await run('hash', 'original.mp4');
      assert.equal(r.code, 1);
      assert.match(r.err, /original\.mp4: ffprobe is not installed .*apt-get install -y ffmpeg/);
    } finally {
      if (saved === undefined) delete process.env.LIFEGUARD_FFPROBE;
      else process.env.LIFEGUARD_FFPROBE = saved;
    }
  });
});
