import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, cli, copyProject, tempDir } from '../helpers/cli.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('briefing list', () => {
  it('lists zones, themes and what each edition adds, and answers anew when the data changes', async () => {
    const dir = copyProject();
    const data = path.join(dir, 'data');
    // The cache in a folder of the test's own, not the user's.
    const env = { XDG_CACHE_HOME: tempDir('briefing-xdg-') };
    const first = await cli(['list', '--data', data], { env });
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('taixin             太忻一体化经济区 / Taiyuan–Xinzhou Integrated Economic Zone');
    expect(first.stdout).toMatch(/2022-05 {2}adds 83 facts; sources 002_b1665f918e888616, 003_466644770ae55d01/);
    expect(first.stdout).toMatch(/2023-03 {2}adds 35 facts; sources 004_3fd6a3c8a5be216f/);
    // The second answer comes from the cache, and is the same.
    expect((await cli(['list', '--data', data], { env })).stdout).toBe(first.stdout);
    const zones = path.join(data, 'zones.yaml');
    writeFileSync(zones, readFileSync(zones, 'utf8').replace('en: Taiyuan–Jinzhong Integration', 'en: Taiyuan–Jinzhong Integration Area'));
    expect((await cli(['list', '--data', data], { env })).stdout).toContain('太原晋中一体化 / Taiyuan–Jinzhong Integration Area');
  });
});

describe('briefing list, its cache', () => {
  const listing = (dir: string) => (existsSync(dir) ? readdirSync(dir).sort() : []);

  it('is kept in $XDG_CACHE_HOME/briefing/lists (else ~/.cache/briefing), by what it was made from, never in node_modules', async () => {
    const data = path.join(copyProject(), 'data');
    const xdg = tempDir('briefing-xdg-');
    const lists = path.join(xdg, 'briefing', 'lists');
    const packageCache = path.join(ROOT, 'node_modules/.cache/briefing');
    const before = listing(packageCache);
    const first = await cli(['list', '--data', data], { env: { XDG_CACHE_HOME: xdg } });
    expect(first.code).toBe(0);
    const files = listing(lists);
    expect(files).toEqual([expect.stringMatching(/^[0-9a-f]{64}$/)]);
    const kept = path.join(lists, files[0]!);
    expect(readFileSync(kept, 'utf8')).toBe(`${sha256(first.stdout)}\n${first.stdout}`);
    // Answered from it: a cached answer changed (and whole, its hash with it) is what the next run prints.
    const changed = first.stdout.replace('zones:', 'zones (cached):');
    writeFileSync(kept, `${sha256(changed)}\n${changed}`);
    expect((await cli(['list', '--data', data], { env: { XDG_CACHE_HOME: xdg } })).stdout).toBe(changed);
    // One torn (its hash no longer matches) is no answer: made anew.
    writeFileSync(kept, `${sha256(changed)}\n${changed.slice(0, -10)}`);
    expect((await cli(['list', '--data', data], { env: { XDG_CACHE_HOME: xdg } })).stdout).toBe(first.stdout);
    // The same data elsewhere, listed from its own project folder as the first is (the answer names the
    // drafts folder as data/drafts in both): answered from the file the first listing kept.
    const project = path.dirname(data);
    const copy = copyProject();
    expect((await cli(['list', '--data', 'data'], { cwd: project, env: { XDG_CACHE_HOME: xdg } })).code).toBe(0);
    expect(listing(lists)).toHaveLength(2);
    const own = listing(lists).find((f) => f !== files[0])!;
    const mark = (await cli(['list', '--data', 'data'], { cwd: project, env: { XDG_CACHE_HOME: xdg } })).stdout.replace('zones:', 'zones (kept):');
    writeFileSync(path.join(lists, own), `${sha256(mark)}\n${mark}`);
    expect((await cli(['list', '--data', 'data'], { cwd: copy, env: { XDG_CACHE_HOME: xdg } })).stdout).toBe(mark);
    rmSync(path.join(lists, own));
    // Changed data gets an answer of its own.
    const zones = path.join(data, 'zones.yaml');
    writeFileSync(zones, readFileSync(zones, 'utf8').replace('en: Taiyuan–Jinzhong Integration', 'en: Taiyuan–Jinzhong Integration Area'));
    expect((await cli(['list', '--data', data], { env: { XDG_CACHE_HOME: xdg } })).stdout).toBe(first.stdout.replace('Taiyuan–Jinzhong Integration', 'Taiyuan–Jinzhong Integration Area'));
    expect(listing(lists)).toHaveLength(2);
    expect(listing(lists)).toContain(files[0]);
    // Without XDG_CACHE_HOME, in the home's .cache.
    const home = tempDir('briefing-home-');
    expect((await cli(['list', '--data', data], { env: { XDG_CACHE_HOME: '', HOME: home } })).code).toBe(0);
    expect(listing(path.join(home, '.cache/briefing'))).toEqual(['lists']);
    expect(listing(packageCache)).toEqual(before);
  });

  it('names the drafts folder relative to the folder list runs in, whatever an earlier run cached', async () => {
    const dir = copyProject();
    const data = path.join(dir, 'data');
    expect((await cli(['draft', '004_3fd6a3c8a5be216f', '--data', data])).code).toBe(0);
    const env = { XDG_CACHE_HOME: tempDir('briefing-xdg-') };
    const fromRoot = await cli(['list', '--data', data], { env });
    expect(fromRoot.stdout).toMatch(new RegExp(`drafts: \\d+ drafted facts wait for review in ${path.relative(ROOT, path.join(data, 'drafts')).replace(/[.]/g, '\\.')} `));
    const fromProject = await cli(['list', '--data', data], { env, cwd: dir });
    expect(fromProject.stdout).toMatch(/drafts: \d+ drafted facts wait for review in data\/drafts /);
    expect(fromProject.stdout.replace(/ in \S+ /, ' in … ')).toBe(fromRoot.stdout.replace(/ in \S+ /, ' in … '));
  });

  it('that cannot be written or read is no cache: the answer is the same, and nothing is said', async () => {
    const data = path.join(copyProject(), 'data');
    const expected = await cli(['list', '--data', data], { env: { XDG_CACHE_HOME: tempDir('briefing-xdg-') } });
    const blocked = tempDir('briefing-blocked-');
    // A file where the cache folder would be (what a read-only home is to root, who may write anywhere).
    writeFileSync(path.join(blocked, 'briefing'), '');
    // A folder where the cache file would be.
    const odd = tempDir('briefing-odd-');
    mkdirSync(path.join(odd, 'briefing'));
    await cli(['list', '--data', data], { env: { XDG_CACHE_HOME: odd } });
    const [name] = readdirSync(path.join(odd, 'briefing', 'lists'));
    rmSync(path.join(odd, 'briefing', 'lists', name!));
    mkdirSync(path.join(odd, 'briefing', 'lists', name!));
    for (const env of [{ XDG_CACHE_HOME: blocked }, { XDG_CACHE_HOME: odd }, { XDG_CACHE_HOME: '', HOME: '' }, { XDG_CACHE_HOME: 'relative/cache', HOME: path.join(blocked, 'briefing') }]) {
      const r = await cli(['list', '--data', data], { env });
      expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }, JSON.stringify(env)).toEqual({ code: 0, stdout: expected.stdout, stderr: '' });
    }
    expect(existsSync(path.join(process.cwd(), 'relative'))).toBe(false);
  });
});
