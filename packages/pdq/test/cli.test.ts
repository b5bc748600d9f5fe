import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Command, CommanderError } from 'commander';
import sharp from 'sharp';
import { registerImageCommands } from '../src/index.ts';
import { hammingDistance, hexToHash } from '../src/pure.ts';
import { imagePath, SKIP_SHARED } from './helpers.ts';

interface Run {
  out: string;
  err: string;
  code: number;
}

let home = '';
before(async () => {
  home = await mkdtemp(join(tmpdir(), 'lifeguard-pdq-cli-'));
});
after(async () => {
  await rm(home, { recursive: true, force: true });
});

async function run(...args: string[]): Promise<Run> {
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

const BRIDGE_CPP = 'f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22';

describe('lifeguard hash', () => {
  it('prints hash,quality,file like the reference tool', { skip: SKIP_SHARED }, async () => {
    const file = imagePath('images/dih/bridge-1-original.jpg');
    const r = await run('hash', file);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, `${BRIDGE_CPP},100,${file}\n`);
  });

  it('prints all eight dihedral hashes, and JSON with exact hashes and orientation', {
    skip: SKIP_SHARED,
  }, async () => {
    const file = imagePath('images/exif-rotn/exif-rotn-6.jpg');
    const d = await run('hash', '--dihedral', file);
    assert.deepEqual(
      d.out
        .trim()
        .split('\n')
        .map((l) => l.split(',').at(-1)),
      ['orig', 'rot90', 'rot180', 'rot270', 'flipx', 'flipy', 'flipp', 'flipm'],
    );
    const j = JSON.parse((await run('hash', '--json', '--no-shrink-on-load', file)).out) as Record<string, unknown>;
    assert.equal(
      j.pdq,
      'e9782aad54ae0b6365315ac278592d6ad4b5434a5bcd7471f7abcb594b481a94',
      'every pixel: the reference hash',
    );
    assert.equal(j.shrunkOnLoad, false);
    const quick = JSON.parse((await run('hash', '--json', file)).out) as Record<string, unknown>;
    assert.equal(quick.shrunkOnLoad, true, 'a 12-megapixel JPEG is decoded at reduced scale by default');
    assert.ok(
      hammingDistance(hexToHash(String(quick.pdq)), hexToHash(String(j.pdq))) <= 8,
      'and its hash stays a few bits from the full-size one',
    );
    assert.equal(j.orientation, 6);
    assert.equal(j.orientationApplied, false);
    assert.match(String(j.sha256), /^[0-9a-f]{64}$/);
    const applied = JSON.parse((await run('hash', '--json', '--orientation', 'apply', file)).out) as Record<
      string,
      unknown
    >;
    assert.equal(applied.orientationApplied, true);
  });

  it('hashes the good files, names the bad ones, and exits 1', async () => {
    const good = join(home, 'ok.png');
    await sharp({ create: { width: 80, height: 60, channels: 3, background: { r: 10, g: 200, b: 30 } } })
      .png()
      .toFile(good);
    const bad = join(home, 'bad.jpg');
    await writeFile(bad, 'not an image');
    const r = await run('hash', bad, good, join(home, 'missing.png'));
    assert.equal(r.code, 1);
    assert.match(r.out, /^[0-9a-f]{64},0,.*ok\.png\n$/);
    assert.match(r.err, /bad\.jpg: not a supported image/);
    assert.match(r.err, /missing\.png: no such file/);
    assert.match(r.err, /2 of 3 file\(s\) could not be hashed/);
  });
});

describe('lifeguard bank and match', { skip: SKIP_SHARED }, () => {
  it('imports a list, lists it, matches near duplicates and rotated copies, and never prints pixels', async () => {
    const list = join(home, 'list.txt');
    await writeFile(list, `# test list\n${BRIDGE_CPP},case 17\nmd5:0123456789abcdef0123456789abcdef\n`);
    const imp = await run('bank', 'import', 'known', list);
    assert.equal(imp.code, 0, imp.err);
    assert.match(imp.out, /created bank known: imported 2 new hash\(es\), 0 already present/);
    const again = await run('bank', 'import', 'known', list);
    assert.match(again.out, /imported 0 new hash\(es\), 2 already present/);
    assert.match((await run('bank', 'list')).out, /^known {2}enabled {2}pdq=1 md5=1 sha256=0$/m);

    const edit = imagePath('images/bridge-mods/sharpen-a-lot.jpg');
    const m = await run('match', edit, '--bank', 'known');
    assert.equal(m.code, 0, m.err);
    assert.match(
      m.out,
      new RegExp(
        `MATCH {2}.*sharpen-a-lot\\.jpg {2}bank=known {2}kind=pdq {2}distance=12 {2}hash=${BRIDGE_CPP} {2}meta="case 17"`,
      ),
    );

    const rotated = imagePath('images/dih/bridge-2-rotate-90.jpg');
    assert.match((await run('match', rotated)).out, /^no match/);
    assert.match((await run('match', '--dihedral', rotated)).out, /distance=0 .*transform=rot270/);

    const unrelated = imagePath('images/misc/c.png');
    assert.match((await run('match', unrelated, '--json')).out, /"matches":\[\]/);
    assert.match((await run('match', '--max-distance', '5', edit)).out, /^no match/);
    const flat = await run('match', imagePath('images/misc/small.jpg'));
    assert.match(flat.err, /quality 0 is below 50, PDQ not matched/);
  });

  it('finds an exact file match by MD5/SHA-256 even when PDQ quality is too low', async () => {
    const file = imagePath('images/misc/small.jpg');
    const { createHash } = await import('node:crypto');
    const sha = createHash('sha256')
      .update(await readFile(file))
      .digest('hex');
    assert.equal((await run('bank', 'create', 'exact')).code, 0);
    assert.match((await run('bank', 'add', 'exact', sha, '--kind', 'sha256', '--meta', 'file 9')).out, /added sha256/);
    const m = await run('match', file, '--bank', 'exact');
    assert.match(m.out, new RegExp(`bank=exact {2}kind=sha256 {2}distance=0 {2}hash=${sha} {2}meta="file 9"`));
  });

  it('enables, disables, adds, removes and exports single hashes', async () => {
    const hash = 'a'.repeat(64);
    assert.equal((await run('bank', 'create', 'ops')).code, 0);
    assert.match((await run('bank', 'add', 'ops', hash, '--meta', 'x')).out, /added pdq/);
    assert.match((await run('bank', 'add', 'ops', hash)).out, /already in bank ops/);
    assert.equal((await run('bank', 'export', 'ops')).out, `pdq:${hash},x\n`);
    assert.match((await run('bank', 'disable', 'ops')).out, /disabled bank ops/);
    assert.match((await run('bank', 'list')).out, /^ops {2}disabled/m);
    const named = await run('match', imagePath('images/misc/wee.jpg'), '--bank', 'ops');
    assert.equal(named.code, 1);
    assert.match(named.err, /bank "ops" is disabled/);
    assert.match((await run('bank', 'enable', 'ops')).out, /enabled bank ops/);
    assert.match((await run('bank', 'remove', 'ops', hash)).out, /removed pdq/);
    const missing = await run('bank', 'remove', 'ops', hash);
    assert.equal(missing.code, 1);
    assert.match(missing.err, /is not in bank ops/);
    assert.equal((await run('bank', 'export', 'ops')).out, '');
    assert.match((await run('bank', 'delete', 'ops')).out, /deleted bank ops/);
  });

  it('refuses a list with malformed lines, naming each line, and imports nothing', async () => {
    const list = join(home, 'bad-list.txt');
    await writeFile(list, `${BRIDGE_CPP.replace('f', 'e')}\nnot-a-hash\n${'b'.repeat(63)}\n`);
    const r = await run('bank', 'import', 'strict', list);
    assert.equal(r.code, 1);
    assert.match(r.err, /bad-list\.txt:2: expected a hex hash/);
    assert.match(r.err, /bad-list\.txt:3: expected 64 hex digits/);
    assert.match(r.err, /2 malformed line\(s\); nothing imported/);
    assert.doesNotMatch((await run('bank', 'list')).out, /strict/);
    const skip = await run('bank', 'import', 'strict', list, '--skip-invalid');
    assert.equal(skip.code, 0);
    assert.match(skip.out, /imported 1 new hash\(es\).*2 malformed line\(s\) skipped/);
  });

  it('reports usage errors and unknown banks clearly', async () => {
    const bad = await run('match', imagePath('images/misc/wee.jpg'), '--max-distance', '999');
    assert.notEqual(bad.code, 0);
    assert.match(bad.err, /--max-distance must be an integer from 0 to 256/);
    const unknown = await run('match', imagePath('images/misc/wee.jpg'), '--bank', 'nope');
    assert.equal(unknown.code, 1);
    assert.match(unknown.err, /no bank named "nope"/);
    const name = await run('bank', 'create', '../evil');
    assert.equal(name.code, 1);
    assert.match(name.err, /invalid bank name/);
    const hash = await run('bank', 'add', 'known', 'xyz');
    assert.equal(hash.code, 1);
    assert.match(hash.err, /not a valid pdq hash/);
  });

  it('keeps banks in --banks-dir when given', async () => {
    const dir = join(home, 'elsewhere');
    assert.equal((await run('bank', '--banks-dir', dir, 'create', 'side')).code, 0);
    assert.match(await readFile(join(dir, 'banks.json'), 'utf8'), /"side"/);
    assert.match((await run('bank', 'list', '--banks-dir', dir)).out, /^side/m);
  });
});
