import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkKey, checkMemo } from '../src/check-cache.js';
import { ROOT, cli, copyProject, tempDir } from './helpers/cli.js';

/** Where a data folder's memo is kept in a cache folder: under the key, in checks/ (file-cache.ts). */
const memoFile = (data: string, cache: string) => path.join(cache, 'checks', checkKey(data, ROOT));
/** A memo as the cache writes one: the SHA-256 of its content, then the content. */
const memoBytes = `${createHash('sha256').update('passed\n').digest('hex')}\npassed\n`;

const SHEET = 'facts/taixin/transport.yaml';
/** One byte of a quote changed (7月4日 → 7月5日): the quote is no longer in its source. */
const breakQuote = (data: string) => {
  const file = path.join(data, SHEET);
  const text = readFileSync(file, 'utf8');
  expect(text).toContain('7月4日首发以来');
  writeFileSync(file, text.replace('7月4日首发以来', '7月5日首发以来'));
  return () => writeFileSync(file, text);
};

describe('the check remembered (check-cache.ts)', () => {
  it('passes a data folder as it was when it passed, and no longer after one byte changed, anywhere in it', () => {
    const data = path.join(copyProject(), 'data');
    const cache = tempDir('briefing-cache-');
    expect(checkMemo(data, ROOT, cache).passed).toBe(false);
    checkMemo(data, ROOT, cache).remember();
    expect(checkMemo(data, ROOT, cache).passed).toBe(true);
    for (const rel of [SHEET, 'sources/000_32369ebad8b3415c.txt', 'glossary.yaml']) {
      const file = path.join(data, rel);
      const before = readFileSync(file);
      const changed = Buffer.from(before);
      changed[changed.length - 2]! ^= 1;
      writeFileSync(file, changed);
      expect(checkMemo(data, ROOT, cache).passed, rel).toBe(false);
      writeFileSync(file, before);
      expect(checkMemo(data, ROOT, cache).passed, rel).toBe(true);
    }
    // A new file counts too.
    writeFileSync(path.join(data, 'facts/taixin/notes.txt'), 'x');
    expect(checkMemo(data, ROOT, cache).passed).toBe(false);
  });

  it('is kept by content, not place: a copy of a folder that passed passes; without a cache folder, or with one unreadable, nothing is remembered', () => {
    const a = path.join(copyProject(), 'data');
    const b = path.join(copyProject(), 'data');
    const cache = tempDir('briefing-cache-');
    checkMemo(a, ROOT, cache).remember();
    expect(checkMemo(b, ROOT, cache).passed).toBe(true);
    breakQuote(b);
    expect(checkMemo(b, ROOT, cache).passed).toBe(false);
    expect(checkMemo(a, ROOT, undefined).passed).toBe(false);
    expect(() => checkMemo(a, ROOT, undefined).remember()).not.toThrow();
    // A cache "folder" that is a file: no memo, no failure.
    const file = path.join(tempDir('briefing-cache-'), 'file');
    writeFileSync(file, '');
    expect(() => checkMemo(a, ROOT, file).remember()).not.toThrow();
    expect(checkMemo(a, ROOT, file).passed).toBe(false);
  });

  it('removes the one-file-per-folder memos and lists earlier versions left in the cache folder, and nothing else', () => {
    const data = path.join(copyProject(), 'data');
    const cache = tempDir('briefing-cache-');
    const legacy = ['check-0123456789abcdef.txt', 'list-fedcba9876543210.txt'];
    for (const n of [...legacy, 'check-notes.txt']) writeFileSync(path.join(cache, n), 'x');
    checkMemo(data, ROOT, cache).remember();
    expect(readdirSync(cache).sort()).toEqual(['check-notes.txt', 'checks']);
  });

  it('takes a memo that is a link or a named pipe for none, without following or waiting on it', () => {
    const data = path.join(copyProject(), 'data');
    const cache = tempDir('briefing-cache-');
    const memo = memoFile(data, cache);
    mkdirSync(path.dirname(memo));
    const elsewhere = path.join(tempDir('briefing-elsewhere-'), 'key');
    writeFileSync(elsewhere, memoBytes);
    symlinkSync(elsewhere, memo);
    expect(checkMemo(data, ROOT, cache).passed).toBe(false);
    // The same bytes as a file of its own: a memo (so the link above was refused for being a link).
    const plainCache = tempDir('briefing-cache-');
    mkdirSync(path.join(plainCache, 'checks'));
    writeFileSync(memoFile(data, plainCache), memoBytes);
    expect(checkMemo(data, ROOT, plainCache).passed).toBe(true);
    const pipeCache = tempDir('briefing-cache-');
    mkdirSync(path.join(pipeCache, 'checks'));
    execFileSync('mkfifo', [memoFile(data, pipeCache)]);
    expect(checkMemo(data, ROOT, pipeCache).passed).toBe(false);
  });
});

describe('a build and the check remembered', () => {
  const build = (dir: string, env: NodeJS.ProcessEnv) =>
    cli(['build', '--html-only', '--zone', 'taixin', '--theme', 'transport', '--edition', '2023-03', '--now', '2023-03-31T08:00:00Z', '--data', path.join(dir, 'data'), '--out', mkdtempSync(path.join(dir, 'out-'))], { env });

  it('checks a fact base changed by one byte since it passed, and refuses it', async () => {
    const dir = copyProject();
    const env = { XDG_CACHE_HOME: tempDir('briefing-xdg-') };
    expect((await build(dir, env)).code).toBe(0);
    const memo = memoFile(path.join(dir, 'data'), path.join(env.XDG_CACHE_HOME, 'briefing'));
    expect(readFileSync(memo, 'utf8')).toBe(memoBytes);
    const restore = breakQuote(path.join(dir, 'data'));
    const refused = await build(dir, env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('transport.yaml');
    expect(refused.stderr).toMatch(/quote/i);
    // Refused again: a failure is never remembered.
    expect((await build(dir, env)).code).toBe(1);
    restore();
    expect((await build(dir, env)).code).toBe(0);
  });

  it('does not check again a fact base whose hash passed (shown with a memo forged for broken data)', async () => {
    const dir = copyProject();
    const env = { XDG_CACHE_HOME: tempDir('briefing-xdg-') };
    breakQuote(path.join(dir, 'data'));
    expect((await build(dir, env)).code).toBe(1);
    const memo = memoFile(path.join(dir, 'data'), path.join(env.XDG_CACHE_HOME, 'briefing'));
    expect(existsSync(memo)).toBe(false);
    mkdirSync(path.dirname(memo), { recursive: true });
    writeFileSync(memo, memoBytes);
    expect((await build(dir, env)).code).toBe(0);
  });
});
